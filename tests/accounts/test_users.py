"""Account management pages: the committee lists, creates and edits accounts; others are kept out."""
import re

import pytest
import sqlalchemy as sa

from liaison.accounts.models import Role, User
from tests import factories
from tests.conftest import sign_in


def _user(db, mobile):
    """Re-read an account by mobile after a request."""
    return db.session.scalar(sa.select(User).where(User.mobile == mobile))


def _accounts_table(client, url):
    """The account table of a list page, without the menu and filters around it."""
    page = client.get(url).get_data(as_text=True)
    return re.search(r'<table[^>]*id="accounts".*?</table>', page, re.S).group(0)


def _count_users(db):
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def test_committee_creates_township_staff_account_and_its_link_signs_in(app, client, db, login_as):
    """A new staff account has no password; its activation link lets the person set one and sign in."""
    township = factories.make_township(name="白鹭镇")
    login_as("committee")
    response = client.post("/users/new", data={
        "mobile": "138 0013 8000", "name": "陈立群", "roles": ["township_staff"],
        "townships": [str(township.id)]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "陈立群 的激活码" in page and "<svg" in page
    user = _user(db, "13800138000")
    assert user.roles == {Role.township_staff} and user.township_ids == {township.id}
    assert user.password_hash is None

    token = re.search(r"http://liaison\.test/activate/([\w-]+)", page).group(1)
    newcomer = app.test_client()
    assert "设置登录密码" in newcomer.get(f"/activate/{token}").get_data(as_text=True)
    response = newcomer.post(f"/activate/{token}", data={"mobile": "13800138000", "password": "qingxi-2026",
                                                        "confirm": "qingxi-2026"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "您好，陈立群" in newcomer.get("/").get_data(as_text=True)


def test_list_shows_masked_mobiles_roles_townships_and_status(client, db, login_as):
    """The list shows each account's masked mobile, roles, townships and whether it is activated."""
    township = factories.make_township(name="翠屏镇")
    factories.make_user(roles={"township_staff"}, townships=[township], name="甲专干", mobile="13811112222")
    factories.make_user(roles={"township_staff"}, townships=[township], name="乙专干", password=None)
    factories.make_user(roles={"committee"}, name="丙委员", enabled=False)
    login_as("committee", name="丁主任")
    page = client.get("/users").get_data(as_text=True)
    assert "138****2222" in page and "13811112222" not in page
    assert "乡镇（街道）工作人员" in page and "翠屏镇" in page and "全区" in page
    row = lambda name: re.search(rf"{name}</a>.*?</tr>", page, re.S).group(0)  # noqa: E731
    assert "已激活" in row("甲专干")
    assert "未激活" in row("乙专干") and "发放激活码" in row("乙专干")
    assert "已停用" in row("丙委员")


def test_list_searches_name_or_mobile_and_filters_by_role(client, db, login_as):
    """``q`` matches part of a name or the mobile number as shown; ``role`` keeps only accounts holding that role."""
    township = factories.make_township()
    factories.make_user(roles={"township_staff"}, townships=[township], name="王晓红", mobile="13812345678")
    factories.make_user(roles={"committee"}, name="李明", mobile="13887654321")
    login_as("admin", name="周管理")
    table = _accounts_table(client, "/users?q=晓红")
    assert "王晓红" in table and "李明" not in table
    table = _accounts_table(client, "/users?q=4321")
    assert "李明" in table and "王晓红" not in table
    table = _accounts_table(client, "/users?role=township_staff")
    assert "王晓红" in table and "李明" not in table and "周管理" not in table


def test_list_is_paginated_by_name(app, client, db, login_as):
    """Accounts come in pages of the configured size, in name order."""
    for n in range(app.config["LIAISON_PAGE_SIZE"] + 3):
        factories.make_user(roles={"committee"}, name=f"账号{n:02d}")
    login_as("admin", name="周管理")
    first = client.get("/users").get_data(as_text=True)
    assert "账号00" in first and "账号22" not in first and "下一页" in first
    second = client.get("/users?page=2").get_data(as_text=True)
    assert "账号22" in second and "上一页" in second and "账号00" not in second


def test_list_puts_staff_first_then_deputies_in_pinyin_order(client, db, login_as):
    """Staff accounts lead the list; deputies' accounts follow by pinyin (安 before 王 before 张)."""
    for name in ("张三", "安平", "王五"):
        factories.make_user(roles={"deputy"}, deputy=factories.make_deputy(name=name))
    login_as("committee", name="周主任")
    table = _accounts_table(client, "/users")
    positions = [table.index(name) for name in ("周主任", "安平", "王五", "张三")]
    assert positions == sorted(positions)


def test_duplicate_mobile_is_refused(client, db, login_as):
    """A mobile number that already has an account is refused with a message and nothing is saved."""
    factories.make_user(mobile="13800138000")
    login_as("committee")
    before = _count_users(db)
    response = client.post("/users/new", data={"mobile": "13800138000", "name": "重复", "roles": ["committee"]})
    assert "已有账号" in response.get_data(as_text=True)
    assert _count_users(db) == before


def test_township_staff_account_needs_a_township(client, db, login_as):
    """Township staff without a township would see nothing: the form says so and saves nothing."""
    login_as("committee")
    response = client.post("/users/new", data={
        "mobile": "13800138001", "name": "无乡镇", "roles": ["township_staff"]})
    assert "必须指定所属乡镇（街道）" in response.get_data(as_text=True)
    assert _user(db, "13800138001") is None


def test_new_account_needs_a_role_and_a_valid_mobile(client, db, login_as):
    """No role, or a mobile that is not 11 digits, is refused in Chinese."""
    login_as("committee")
    page = client.post("/users/new", data={"mobile": "13800138002", "name": "无角色"}).get_data(as_text=True)
    assert "请至少选择一个角色" in page
    page = client.post("/users/new", data={"mobile": "12345", "name": "错号", "roles": ["committee"]}).get_data(
        as_text=True)
    assert "手机号码应为 11 位数字" in page
    assert _count_users(db) == 1


def test_deputy_role_cannot_be_granted_here(client, db, login_as):
    """人大代表 comes with a mandate, not from the accounts page."""
    login_as("committee")
    page = client.post("/users/new", data={"mobile": "13800138003", "name": "假代表", "roles": ["deputy"]})
    assert "随代表资格自动授予" in page.get_data(as_text=True)
    assert _user(db, "13800138003") is None


def test_committee_cannot_grant_admin(client, db, login_as):
    """Only an admin makes admins: a committee member is refused on the new and the edit page."""
    other = factories.make_user(roles={"committee"}, name="普通委员")
    login_as("committee")
    page = client.post("/users/new", data={"mobile": "13800138004", "name": "新管理员", "roles": ["admin"]})
    assert "只有系统管理员可以授予" in page.get_data(as_text=True)
    assert _user(db, "13800138004") is None
    page = client.post(f"/users/{other.id}/edit", data={"name": "普通委员", "roles": ["committee", "admin"]})
    assert "只有系统管理员可以授予" in page.get_data(as_text=True)
    assert db.session.get(User, other.id).roles == {Role.committee}


def test_committee_edits_an_admin_without_removing_admin(client, db, login_as):
    """The edit page keeps an admin's admin role when a committee member saves it (the box is locked)."""
    admin = factories.make_user(roles={"admin", "committee"}, name="管理员")
    login_as("committee")
    page = client.get(f"/users/{admin.id}/edit").get_data(as_text=True)
    assert re.search(r'value="admin" checked disabled', page)
    assert '<input type="hidden" name="roles" value="admin">' in page
    response = client.post(f"/users/{admin.id}/edit", data={"name": "管理员甲", "roles": ["committee", "admin"]})
    assert response.status_code == 302
    admin = db.session.get(User, admin.id)
    assert admin.name == "管理员甲" and admin.roles == {Role.admin, Role.committee}
    page = client.post(f"/users/{admin.id}/edit", data={"name": "管理员甲", "roles": ["committee"]})
    assert "只有系统管理员可以授予或取消" in page.get_data(as_text=True)


def test_admin_grants_admin(client, db, login_as):
    """An admin may make another account admin."""
    other = factories.make_user(roles={"committee"})
    login_as("admin")
    response = client.post(f"/users/{other.id}/edit", data={
        "name": other.name, "roles": ["committee", "admin"]})
    assert response.status_code == 302
    assert db.session.get(User, other.id).roles == {Role.committee, Role.admin}


def test_nobody_removes_their_own_committee_role(client, db, login_as):
    """Taking away one's own 区人大常委会 role is refused; the role stays."""
    me = login_as("committee")
    page = client.post(f"/users/{me.id}/edit", data={"name": me.name, "roles": []}).get_data(as_text=True)
    assert "不能取消自己的“区人大常委会”角色" in page
    assert db.session.get(User, me.id).roles == {Role.committee}


def test_own_scope_change_keeps_the_editor_signed_in(client, db, login_as):
    """An admin who adds a role to their own account stays signed in."""
    me = login_as("admin")
    response = client.post(f"/users/{me.id}/edit", data={"name": me.name, "roles": ["admin", "committee"]})
    assert response.status_code == 302
    assert client.get("/users").status_code == 200


def test_scope_change_ends_the_users_sessions(app, client, db, login_as):
    """A staff member moved to another township is signed out at once; a name change alone does not."""
    first, second = factories.make_township(name="石桥镇"), factories.make_township(name="梅岭镇")
    staff = factories.make_user(roles={"township_staff"}, townships=[first], name="刘专干")
    db.session.commit()
    their_phone = app.test_client()
    sign_in(their_phone, staff.mobile)
    login_as("committee")

    client.post(f"/users/{staff.id}/edit", data={
        "name": "刘专干", "roles": ["township_staff"], "townships": [str(first.id)]})
    assert their_phone.get("/").status_code == 200

    response = client.post(f"/users/{staff.id}/edit", data={
        "name": "刘专干", "roles": ["township_staff"], "townships": [str(second.id)]})
    assert response.status_code == 302
    assert db.session.get(User, staff.id).township_ids == {second.id}
    response = their_phone.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_edit_keeps_the_deputy_role_and_drops_unneeded_townships(client, db, login_as):
    """Removing township staff from a deputy leaves them a deputy, without townships."""
    township = factories.make_township()
    deputy = factories.make_deputy(name="赵代表")
    user = factories.make_user(roles={"deputy", "township_staff"}, townships=[township], deputy=deputy)
    login_as("committee")
    page = client.get(f"/users/{user.id}/edit").get_data(as_text=True)
    assert "随代表资格授予" in page
    response = client.post(f"/users/{user.id}/edit", data={"name": "赵代表", "townships": [str(township.id)]})
    assert response.status_code == 302
    user = db.session.get(User, user.id)
    assert user.roles == {Role.deputy} and user.townships == []


def test_committee_disables_an_account_from_its_page(client, db, login_as):
    """The edit page's 停用 button disables the account and comes back to the page."""
    other = factories.make_user(roles={"committee"}, name="将停用")
    login_as("committee")
    page = client.get(f"/users/{other.id}/edit").get_data(as_text=True)
    # Only an admin may reset the password of a staff account that has one (see below).
    assert "停用账号" in page and "发放重设密码的激活码" not in page
    response = client.post(f"/users/{other.id}/enabled", data={
        "enabled": "0", "next": f"/users/{other.id}/edit"})
    assert response.headers["Location"] == f"/users/{other.id}/edit"
    assert db.session.get(User, other.id).enabled is False
    assert "已停用" in client.get(f"/users/{other.id}/edit").get_data(as_text=True)


def test_committee_may_not_reset_an_admins_account(client, db, login_as):
    """An activation link sets a new password: only an admin may issue one for an admin, or disable one."""
    admin = factories.make_user(roles={"admin"})
    login_as("committee")
    assert client.post(f"/users/{admin.id}/activation").status_code == 403
    assert client.post(f"/users/{admin.id}/enabled", data={"enabled": "0"}).status_code == 403
    assert db.session.get(User, admin.id).enabled is True


def test_new_and_edit_forms_need_csrf(app, client, db, login_as, monkeypatch):
    """The new-account and edit forms carry a CSRF token; a post without one saves nothing."""
    me = login_as("committee")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert 'name="csrf_token"' in client.get("/users/new").get_data(as_text=True)
    assert 'name="csrf_token"' in client.get(f"/users/{me.id}/edit").get_data(as_text=True)
    response = client.post("/users/new", data={
        "mobile": "13800138009", "name": "无令牌", "roles": ["committee"]})
    assert response.status_code == 400
    assert _user(db, "13800138009") is None


@pytest.mark.parametrize("role", ["township_staff", "deputy"])
@pytest.mark.parametrize("method, url", [
    ("get", "/users"), ("get", "/users/new"), ("post", "/users/new"), ("get", "/users/{id}/edit"),
    ("post", "/users/{id}/edit"),
])
def test_staff_and_deputies_are_forbidden(client, db, login_as, role, method, url):
    """Township staff and deputies get 403 on the account management pages."""
    other = factories.make_user(roles={"committee"}, name="别人")
    login_as(role)
    response = getattr(client, method)(url.format(id=other.id), data={"name": "改名", "roles": ["admin"]})
    assert response.status_code == 403
    assert db.session.get(User, other.id).name == "别人"


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    """Without signing in, the accounts list sends the visitor to the login page."""
    response = client.get("/users")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_township_staff_cannot_take_over_a_deputy_who_is_staff_elsewhere(client, db, login_as):
    """A deputy of A who is staff of B: A's staff may neither issue them a new link nor disable them."""
    from liaison.accounts.models import Role

    a, b = factories.make_township(), factories.make_township()
    deputy = factories.make_deputy()
    factories.make_mandate(deputy=deputy, township=a)
    victim = factories.make_user(roles={Role.deputy, Role.township_staff}, townships=[b], deputy=deputy)
    victim_id = victim.id
    login_as("township_staff", townships=[a])
    assert client.post(f"/users/{victim_id}/activation").status_code == 404
    assert client.post(f"/users/{victim_id}/enabled", data={"enabled": "0"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(type(victim), victim_id).enabled


@pytest.mark.parametrize("role", ["committee", "township_staff"])
def test_committee_cannot_take_over_a_staff_account_with_a_password(client, db, login_as, role):
    """A committee member may not issue a new activation link (which sets a new password) for another
    staff account that already has a password: the attempt is refused and audited, and no link exists."""
    from liaison.accounts.models import ActivationToken
    from liaison.audit.models import AuditEvent

    township = factories.make_township()
    victim = factories.make_user(roles={role}, townships=[township] if role == "township_staff" else ())
    victim_id = victim.id
    login_as("committee")
    assert "发放重设密码的激活码" not in client.get(f"/users/{victim_id}/edit").get_data(as_text=True)
    assert client.post(f"/users/{victim_id}/activation").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(ActivationToken.id))) == 0
    denied = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert [e.detail for e in denied] == [f"POST /users/{victim_id}/activation"]


def test_committee_still_issues_links_to_new_staff_and_deputies_and_admins_to_anyone(app, client, db, login_as):
    """Accounts awaiting their first password and deputies' accounts get links from the committee;
    an admin may reset a committee member's password with a link."""
    newcomer = factories.make_user(roles={"committee"}, password=None)
    deputy = factories.make_deputy()
    deputy_account = factories.make_user(roles={"deputy"}, deputy=deputy)
    colleague = factories.make_user(roles={"committee"})
    ids = newcomer.id, deputy_account.id, colleague.id
    login_as("committee")
    assert client.post(f"/users/{ids[0]}/activation").status_code == 200
    assert client.post(f"/users/{ids[1]}/activation").status_code == 200
    admin = app.test_client()
    admin_user = factories.make_user(roles={"admin"})
    db.session.commit()
    sign_in(admin, admin_user.mobile)
    assert "发放重设密码的激活码" in admin.get(f"/users/{ids[2]}/edit").get_data(as_text=True)
    assert admin.post(f"/users/{ids[2]}/activation").status_code == 200
