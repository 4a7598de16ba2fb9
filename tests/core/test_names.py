"""How names sort (rule R16): 姓氏笔画 order for official tables, pinyin with surnames read right."""
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from liaison.deputies.models import Deputy
from liaison.names import name_syllables, pinyin_sort_key, stroke_count, stroke_order, stroke_sort_key
from tests import factories
from tests.conftest import make_test_app


def by_strokes(*names):
    return sorted(names, key=stroke_sort_key)


def by_pinyin(*names):
    return sorted(names, key=pinyin_sort_key)


@pytest.mark.parametrize("char, strokes", [
    ("王", "1121"), ("毛", "3115"), ("文", "4134"), ("方", "4153"), ("女", "531"),
    # 竖钩 is classed with 竖, 提 with 横, 捺 with 点, every other turn or hook with 折 (the 笔顺规范).
    ("小", "234"), ("李", "1234521"), ("杨", "1234533"), ("冰", "412534"), ("长", "3154"), ("心", "4544"),
    ("曾", "432524312511"),
])
def test_stroke_orders_follow_the_standard(char, strokes):
    """The shipped data gives each character its strokes in writing order, classed 横竖撇点折 (1–5)."""
    assert stroke_order(char) == strokes and stroke_count(char) == len(strokes)


def test_equal_stroke_counts_go_by_the_first_stroke():
    """王 毛 文 方 孔 all have four strokes: 王 starts with 横, 毛 with 撇, 文 and 方 with 点 (then
    横, then 撇 before 折), 孔 with 折."""
    assert by_strokes("孔", "方", "文", "毛", "王") == ["王", "毛", "文", "方", "孔"]


def test_fewer_strokes_first_whatever_the_first_stroke():
    """丁 (2) before 王 (4) before 李 (7) before 曾 (12): the count decides before the strokes."""
    assert by_strokes("曾国", "李明", "王一", "丁山") == ["丁山", "王一", "李明", "曾国"]


def test_same_count_and_first_stroke_go_on_stroke_by_stroke():
    """李 (1234521) before 杨 (1234533): they part at the sixth stroke, 子's 竖钩 (竖) before 易's 撇.
    Read as 折 (as a careless classing would), 杨 would come first."""
    assert by_strokes("杨帆", "李强") == ["李强", "杨帆"]


def test_the_given_name_orders_people_of_one_surname_the_same_way():
    """Under 王: 一 (1 stroke) before 大 (3: 134) before 小 (3: 234) before 春 (9)."""
    assert by_strokes("王春", "王小明", "王大明", "王一") == ["王一", "王大明", "王小明", "王春"]


def test_stroke_and_pinyin_orders_differ():
    """张 李 王 詹: by strokes 王 (4), 李 (7, 横 first), 张 (7, 折 first), 詹 (13); by pinyin 李 王 詹 张."""
    names = ("张伟", "李娜", "王芳", "詹敏")
    assert by_strokes(*names) == ["王芳", "李娜", "张伟", "詹敏"]
    assert by_pinyin(*names) == ["李娜", "王芳", "詹敏", "张伟"]


def test_rare_and_foreign_characters_still_sort():
    """A character known only by its Unihan stroke count goes after the known ones of that count;
    a character with no stroke data after every Han character; the middle dot of a transcribed
    name is not compared."""
    assert stroke_count("禕") == 13 and stroke_order("禕") is None
    assert by_strokes("禕", "詹", "魏") == ["詹", "禕", "魏"]   # 詹 13, 禕 13 (count only), 魏 17
    assert by_strokes("Anna", "魏") == ["魏", "Anna"]
    assert stroke_sort_key("阿依古丽·买买提") == stroke_sort_key("阿依古丽买买提")
    assert stroke_sort_key("王芳").isdigit() and len(stroke_sort_key("王" * 50)) <= 255


@pytest.mark.parametrize("name, reading", [
    ("曾国藩", "zeng"), ("单田芳", "shan"), ("解缙", "xie"), ("仇英", "qiu"), ("区伟", "ou"), ("查良镛", "zha"),
    ("朴正", "piao"), ("盖叫天", "ge"), ("乐毅", "yue"), ("覃华", "qin"), ("缪斌", "miao"), ("翟林", "zhai"),
    ("繁钦", "po"), ("隗嚣", "wei"), ("种师道", "chong"), ("秘书文", "bi"), ("燕青", "yan"), ("召军", "shao"),
    ("尉迟恭", "yu chi"), ("万俟卨", "mo qi"), ("长孙无忌", "zhang sun"), ("单于丹", "chan yu"),
])
def test_surnames_are_read_as_surnames(name, reading):
    """Polyphone surnames take their surname reading, compound surnames first (pypinyin alone
    reads 曾 ceng, 单 dan, 解 jie, 仇 chou, 区 qu, 查 cha, 朴 pu…)."""
    syllables = name_syllables(name)
    assert " ".join(syllables[:len(reading.split())]) == reading


def test_the_given_name_keeps_its_own_reading():
    """Only the surname is read as a surname: 曾长青 is zeng chang qing, 单单 shan dan."""
    assert name_syllables("曾长青") == ["zeng", "chang", "qing"]
    assert name_syllables("单单") == ["shan", "dan"]


def test_polyphone_surnames_in_pinyin_order():
    """曾 sorts as zeng (after 杨, not between 蔡 and 陈), 单 as shan (after 丁), 仇 as qiu (after 秦),
    区 as ou (before 潘), 朴 as piao (before 平), 万俟 as mo (before 潘), 尉迟 as yu (after 杨)."""
    assert by_pinyin("曾华", "陈亮", "杨强", "蔡明") == ["蔡明", "陈亮", "杨强", "曾华"]
    assert by_pinyin("单明", "丁一", "孙力") == ["丁一", "单明", "孙力"]
    assert by_pinyin("仇明", "秦力", "程一") == ["程一", "秦力", "仇明"]
    assert by_pinyin("潘明", "区伟", "马力") == ["马力", "区伟", "潘明"]
    assert by_pinyin("平安", "朴正") == ["朴正", "平安"]
    assert by_pinyin("潘明", "万俟卨", "马力") == ["马力", "万俟卨", "潘明"]
    assert by_pinyin("尉迟恭", "吴用", "杨志") == ["吴用", "杨志", "尉迟恭"]


def test_a_deputy_keeps_both_keys_with_the_name(db):
    """Every write of a deputy's name writes both keys (Deputy.name_keys, one place)."""
    deputy = factories.make_deputy(name="曾华")
    assert (deputy.name_sort_key, deputy.stroke_sort_key) == (pinyin_sort_key("曾华"), stroke_sort_key("曾华"))
    deputy.name = "单明"
    db.session.commit()
    stored = db.session.execute(sa.select(Deputy.name_sort_key, Deputy.stroke_sort_key)
                                .where(Deputy.id == deputy.id)).one()
    assert tuple(stored) == (pinyin_sort_key("单明"), stroke_sort_key("单明"))
    assert stored.name_sort_key.startswith("shan")


def test_the_migration_fills_both_keys_of_existing_deputies(tmp_path):
    """Deputies recorded before the stroke key get it, and their pinyin key is rewritten with the
    surname reading (曾 was ceng)."""
    app = make_test_app("sqlite:///" + str(tmp_path / "before.db"))
    with app.app_context():
        from liaison.extensions import db as _db
        upgrade(revision="7d2e4b6a9c13")
        with _db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO deputies (name, name_sort_key, gender, ethnicity, mobile, created_at) VALUES "
                "('曾华', 'ceng00hua0000曾华', 'male', '汉族', '13700000001', '2026-01-01 00:00:00'), "
                "('王芳', 'wang00fang000王芳', 'female', '汉族', '13700000002', '2026-01-01 00:00:00')"))
        upgrade()
        rows = _db.session.execute(sa.select(Deputy.name, Deputy.name_sort_key, Deputy.stroke_sort_key)
                                   .order_by(Deputy.stroke_sort_key)).all()
        assert [(name, pinyin, strokes) for name, pinyin, strokes in rows] == [
            ("王芳", pinyin_sort_key("王芳"), stroke_sort_key("王芳")),
            ("曾华", pinyin_sort_key("曾华"), stroke_sort_key("曾华"))]
        assert rows[1].name_sort_key.startswith("zeng")
        _db.session.remove()
        _db.engine.dispose()
