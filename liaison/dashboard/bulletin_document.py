"""The monthly 通报 as a Word document: the month's figures in the words of a congress bulletin.

Everything is as of the month's last day and compared with the previous month's last day, for
the same target terms. Only periods that had ended by the month's end appear (rule R8): the month
itself, and its quarter only when the month closes it; the year's 年述职 shows as a count so far,
and as a rate only in December's bulletin.
"""
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from flask import current_app
from flask_babel import force_locale, gettext

from liaison.clock import Month, Quarter, local_today
from liaison.dashboard import bulletins
from liaison.dashboard.queries import target_terms
from liaison.dashboard.workbook import build_workbook
from liaison.exports.docx import Heading, OfficialDocument, Paragraph, Table, write_document
from liaison.rates import queries as rates
from liaison.terms.models import Level

#: Chinese ordinals for headings (一、二、…) and sub-headings (（一）…).
_ORDINALS = "一二三四五六七八九十"


class Rate(NamedTuple):
    """A rate as the bulletin prints it: done of due, in tenths of a percent rounded half up (四舍五入)."""

    due: int
    done: int

    @property
    def tenths(self):
        """The rate in tenths of a percent (875 for 87.5%), None when nobody is due."""
        if not self.due:
            return None
        return int((Decimal(self.done) * 1000 / Decimal(self.due)).quantize(Decimal(1), ROUND_HALF_UP))

    @property
    def text(self):
        """87.5%, or — when nobody is due."""
        return "—" if self.tenths is None else _tenths_text(self.tenths) + "%"


def change_in_points(now, before):
    """Tenths of a percentage point from ``before`` to ``now`` (the printed rates' difference, so the
    page adds up), or None when either has nobody due."""
    if now.tenths is None or before.tenths is None:
        return None
    return now.tenths - before.tenths


def _tenths_text(tenths):
    """875 → 87.5; −25 → -2.5."""
    sign = "-" if tenths < 0 else ""
    return f"{sign}{abs(tenths) // 10}.{abs(tenths) % 10}"


def _signed_points(change):
    """The change column: +2.5, -1.0, 0.0, or — when there is nothing to compare."""
    if change is None:
        return "—"
    return ("+" if change > 0 else "") + _tenths_text(change)


class TownshipPlace(NamedTuple):
    """One township in a term's ranking."""

    #: 1 for the highest rate; equal rates share a place (1, 2, 2, 4).
    place: int
    township_name: str
    now: Rate
    before: Rate
    missing: int

    @property
    def change(self):
        return change_in_points(self.now, self.before)


class TermFigures(NamedTuple):
    """One target term in the bulletin: the district's figures now and a month before, the
    townships ranked, the month's 月进站, the quarter's 季回家 (when it ended), the year's 年述职."""

    term_id: int
    term_name: str
    now: rates.TermReportingRow
    before: rates.TermReportingRow
    ranking: list
    #: Townships with mandates of the term but nobody due (outside the ranking).
    unranked: list
    month_visits: rates.VisitRow | None
    quarter_visits: rates.VisitRow | None
    annual: rates.AnnualReportingRow
    #: (township name, [deputy names]) of the 未述 list, when names were chosen.
    missing_names: list | None


class BulletinFigures(NamedTuple):
    """Everything the bulletin of one month says."""

    month: Month
    #: The quarter, when the month is its last (its 季回家 has ended and is reported).
    quarter: Quarter | None
    threshold_percent: int
    terms: list


def bulletin_figures(month, terms, threshold_percent, with_names=False):
    """The figures of ``month``'s bulletin for the target ``terms``: every figure as of the month's
    last day, each compared with the previous month's last day."""
    as_of, before = month.last, month.previous().last
    quarter = Quarter.of(as_of)
    quarter = quarter if quarter.last == as_of else None
    found = []
    for term in terms:
        now_rows = rates.in_term_reporting(term.id, as_of, group_by="township")
        before_rows = {row.township_id: row
                       for row in rates.in_term_reporting(term.id, before, group_by="township")}
        ranking, unranked = rank_townships(now_rows, before_rows)
        names = None
        if with_names:
            names = {}
            for row in rates.missing_reporters(term.id, as_of):
                names.setdefault(row.township_name, []).append(row.deputy_name)
            names = list(names.items())
        found.append(TermFigures(
            term.id, term.name,
            rates.in_term_reporting(term.id, as_of)[0], rates.in_term_reporting(term.id, before)[0],
            ranking, unranked,
            _ended_period(rates.monthly_visits(as_of.year, term.id, as_of, group_by=None, only=month.key),
                          month),
            _ended_period(rates.quarterly_visits(as_of.year, term.id, as_of, group_by=None, only=quarter.key),
                          quarter) if quarter else None,
            rates.annual_reporting(as_of.year, as_of, term_id=term.id)[0],
            names))
    return BulletinFigures(month, quarter, threshold_percent, found)


def _ended_period(rows, period):
    """The district row of ``period`` among a year's rows, provided it had ended (rule R8)."""
    for row in rows:
        if row.period_key == period.key and row.closed:
            return row
    return None


def rank_townships(now_rows, before_rows):
    """Townships by rate, highest first; equal rates share a place and keep the townships' order.

    Returns (ranking, unranked): townships where nobody is due have no rate and are listed apart.
    """
    ranked, unranked = [], []
    for row in now_rows:
        if not row.due:
            unranked.append(row.township_name)
            continue
        previous = before_rows.get(row.township_id)
        ranked.append((Rate(row.due, row.done),
                       Rate(previous.due, previous.done) if previous else Rate(0, 0), row))
    # sorted() is stable: townships with equal rates stay in the order the rates query gives.
    ranked.sort(key=lambda item: -item[0].tenths)
    places = []
    for index, (now, before, row) in enumerate(ranked):
        place = places[-1].place if places and places[-1].now.tenths == now.tenths else index + 1
        places.append(TownshipPlace(place, row.township_name, now, before, row.missing))
    return places, unranked


# --- the words -------------------------------------------------------------------------------

def _heading(number, text):
    return Heading(f"{_ORDINALS[number - 1]}、{text}")


def _subheading(number, text):
    return Heading(f"（{_ORDINALS[number - 1]}）{text}", level=2)


def _joined(parts):
    """A list in a sentence: 甲、乙、丙."""
    return "、".join(parts)


def _term_sentence(figures):
    """One target's paragraph: 应述, 已述, 未述, the rate, its change on last month, the gap to 100%."""
    now, before = Rate(figures.now.due, figures.now.done), Rate(figures.before.due, figures.before.done)
    if now.tenths is None:
        return gettext("%(term)s：截至本月末无应述代表。", term=figures.term_name)
    change = change_in_points(now, before)
    if change is None:
        compared = gettext("上月末无应述代表，不作比较")
    elif change > 0:
        compared = gettext("比上月末（%(before)s）提高%(points)s个百分点", before=before.text,
                           points=_tenths_text(change))
    elif change < 0:
        compared = gettext("比上月末（%(before)s）下降%(points)s个百分点", before=before.text,
                           points=_tenths_text(-change))
    else:
        compared = gettext("与上月末持平")
    if now.tenths >= 1000:
        gap = gettext("已实现100%目标")
    else:
        gap = gettext("距100%%目标还差%(points)s个百分点", points=_tenths_text(1000 - now.tenths))
    return gettext("%(term)s代表应述%(due)s人，已述%(done)s人，未述%(missing)s人，届内述职率%(rate)s，"
                   "%(compared)s，%(gap)s。", term=figures.term_name, due=figures.now.due,
                   done=figures.now.done, missing=figures.now.missing, rate=now.text, compared=compared,
                   gap=gap)


def _ranking_table(number, figures):
    """表N: a term's townships ranked by rate, with 未述 and the change on last month."""
    rows = [(str(place.place), place.township_name, place.now.due, place.now.done, place.missing,
             place.now.text, place.before.text, _signed_points(place.change))
            for place in figures.ranking]
    notes = [gettext("注：应述、已述、未述单位为人；“比上月”为述职率比上月末增减的百分点。")]
    if figures.unranked:
        notes.append(gettext("%(names)s无应述代表，不参加排名。", names=_joined(figures.unranked)))
    return Table(
        caption=gettext("表%(n)s　%(term)s代表届内述职率分乡镇（街道）排名", n=number, term=figures.term_name),
        headers=[gettext("名次"), gettext("乡镇（街道）"), gettext("应述"), gettext("已述"), gettext("未述"),
                 gettext("述职率"), gettext("上月末"), gettext("比上月")],
        rows=rows, widths=[1.3, 3.4, 1.6, 1.6, 1.6, 2.0, 2.0, 2.0], notes=notes, left_columns=frozenset({2}))


def _improved_line(figures):
    """A term's townships whose rate rose on last month, with the points."""
    risen = [place for place in figures.ranking if place.change is not None and place.change > 0]
    if not risen:
        return gettext("%(term)s：无。", term=figures.term_name)
    listed = _joined(gettext("%(name)s（提高%(points)s个百分点）", name=place.township_name,
                             points=_tenths_text(place.change)) for place in risen)
    return gettext("%(term)s：%(list)s，共%(n)s个。", term=figures.term_name, list=listed, n=len(risen))


def _below_line(figures, threshold_percent):
    """A term's townships whose rate is below the threshold, lowest first."""
    below = sorted((place for place in figures.ranking if place.now.tenths < threshold_percent * 10),
                   key=lambda place: place.now.tenths)
    if not below:
        return gettext("%(term)s：无。", term=figures.term_name)
    listed = _joined(gettext("%(name)s（%(rate)s，未述%(missing)s人）", name=place.township_name,
                             rate=place.now.text, missing=place.missing) for place in below)
    return gettext("%(term)s：%(list)s，共%(n)s个。", term=figures.term_name, list=listed, n=len(below))


def _visit_sentence(figures, row, period_label, met_word, rate_word):
    """One term's 月进站 (or 季回家) of an ended period, with those outside the rate."""
    rate = Rate(row.due, row.met)
    sentence = gettext("%(term)s代表应%(met_word)s%(due)s人，已%(met_word)s%(met)s人，%(rate_word)s%(rate)s",
                       term=figures.term_name, met_word=met_word, due=row.due, met=row.met,
                       rate_word=rate_word, rate=rate.text)
    outside = []
    if row.partial:
        outside.append(gettext("任职不满%(period)s的%(n)s人", period=period_label, n=row.partial))
    if row.suspended:
        outside.append(gettext("暂停执行代表职务的%(n)s人", n=row.suspended))
    if row.exempted:
        outside.append(gettext("经批准免除的%(n)s人", n=row.exempted))
    if outside:
        sentence += gettext("（%(list)s不计入）", list=_joined(outside))
    return sentence


def _visits_part(number, bulletin):
    """The month's 月进站 and, when the month closed a quarter, the quarter's 季回家; nothing of a
    period still running (rule R8)."""
    parts = [_heading(number, gettext("月进站、季回家情况"))]
    monthly = [_visit_sentence(f, f.month_visits, gettext("整月"), gettext("进站"), gettext("月进站率"))
               for f in bulletin.terms if f.month_visits is not None]
    if monthly:
        parts.append(Paragraph(gettext("%(month)s，", month=bulletin.month.label) + "；".join(monthly) + "。"))
    if bulletin.quarter is not None:
        quarterly = [_visit_sentence(f, f.quarter_visits, gettext("整季"), gettext("回家"), gettext("季回家率"))
                     for f in bulletin.terms if f.quarter_visits is not None]
        if quarterly:
            parts.append(Paragraph(gettext("%(quarter)s，", quarter=bulletin.quarter.label)
                                   + "；".join(quarterly) + "。"))
    else:
        parts.append(Paragraph(gettext("季回家情况按季度统计，待本季度结束后通报。")))
    return parts


def _annual_part(number, bulletin):
    """年述职: a rate only once the year has ended (December's bulletin), else the count so far."""
    year = bulletin.month.year
    ended = bulletin.month.month == 12
    parts = [_heading(number, gettext("年度述职情况") if ended else gettext("年度述职进展"))]
    sentences = []
    for figures in bulletin.terms:
        row = figures.annual
        if ended:
            sentences.append(gettext("%(term)s代表应述%(due)s人，已述%(done)s人，年度述职率%(rate)s",
                                     term=figures.term_name, due=row.due, done=row.done,
                                     rate=Rate(row.due, row.done).text))
        else:
            sentences.append(gettext("%(term)s代表已述%(done)s人（应述%(due)s人）", term=figures.term_name,
                                     done=row.done, due=row.due))
    if ended:
        parts.append(Paragraph(gettext("%(year)s年度，", year=year) + "；".join(sentences) + "。"))
    else:
        parts.append(Paragraph(
            gettext("%(year)s年以来（截至%(day)s），", year=year, day=_day(bulletin.month.last))
            + "；".join(sentences) + "。" + gettext("全年尚未结束，年度述职率待12月通报时公布。")))
    return parts


def _names_part(number, bulletin):
    """未述代表名单 by term and township (only when chosen)."""
    parts = [_heading(number, gettext("未述代表名单"))]
    for index, figures in enumerate(bulletin.terms, start=1):
        parts.append(_subheading(index, figures.term_name))
        if not figures.missing_names:
            parts.append(Paragraph(gettext("无。")))
        for township, names in figures.missing_names or []:
            parts.append(Paragraph(gettext("%(township)s（%(n)s人）：", township=township, n=len(names))
                                   + _joined(names) + "。"))
    return parts


def _day(day):
    """2026年11月30日."""
    return gettext("%(y)s年%(m)s月%(d)s日", y=day.year, m=day.month, d=day.day)


def bulletin_document(bulletin, issuer, issued_on, workbook_name):
    """The 通报 of ``bulletin`` (a ``BulletinFigures``) as an ``OfficialDocument``."""
    month = bulletin.month
    term_names = _joined(f.term_name for f in bulletin.terms)
    body = [Paragraph(gettext(
        "为落实“月进站、季回家、年述职”工作要求，推动%(terms)s人大代表届内述职率实现“两个100%%”目标，"
        "现将截至%(day)s全区代表履职情况通报如下。", terms=term_names, day=_day(month.last)))]
    number = 1
    body.append(_heading(number, gettext("届内述职率“两个100%”目标完成情况")))
    body += [Paragraph(_term_sentence(figures)) for figures in bulletin.terms]

    number += 1
    body.append(_heading(number, gettext("各乡镇（街道）届内述职情况")))
    for index, figures in enumerate(bulletin.terms, start=1):
        body.append(_ranking_table(index, figures))
    body.append(_subheading(1, gettext("述职率比上月提高的乡镇（街道）")))
    body += [Paragraph(_improved_line(figures)) for figures in bulletin.terms]
    body.append(_subheading(2, gettext("述职率低于%(threshold)s%%的乡镇（街道）",
                                       threshold=bulletin.threshold_percent)))
    body += [Paragraph(_below_line(figures, bulletin.threshold_percent)) for figures in bulletin.terms]

    number += 1
    body += _visits_part(number, bulletin)
    number += 1
    body += _annual_part(number, bulletin)
    if any(f.missing_names is not None for f in bulletin.terms):
        number += 1
        body += _names_part(number, bulletin)
    number += 1
    body.append(_heading(number, gettext("有关要求")))
    body.append(Paragraph(gettext(
        "请各乡镇人大、街道人大工委对照本通报，按照“应述尽述”的原则，督促未述职代表尽快向选民述职，"
        "组织代表按时进站、回家，述职率低于%(threshold)s%%的乡镇（街道）要分析原因、抓紧推进。",
        threshold=bulletin.threshold_percent)))
    return OfficialDocument(
        title=gettext("关于%(y)s年%(m)s月代表履职情况的通报", y=month.year, m=month.month),
        addressee=gettext("各乡镇人大、街道人大工委："),
        body=body, issuer=issuer, issued_on=_day(issued_on),
        attachments=[gettext("%(month)s述职率统计表（Excel文件“%(file)s”，与本通报一并印发）",
                             month=month.label, file=workbook_name)],
        attachments_label=gettext("附件："))


def build_bulletin(month, terms, issued_on, threshold_percent, workbook_name, with_names=False):
    """The .docx bytes of ``month``'s 通报 for the target ``terms``."""
    figures = bulletin_figures(month, terms, threshold_percent, with_names)
    issuer = gettext("区人大常委会代表工作室")
    return write_document(bulletin_document(figures, issuer, issued_on, workbook_name))


def month_files(month, names, made_by, threshold_percent=None, with_names=False):
    """The archive files ``names`` (of ``bulletins.file_name``) of ``month``'s bulletin, as
    ``{name: bytes}``, as of the month's last day for the district.

    Written in the district's language whoever asks (the archive is shared), for the target terms
    of that day; a 通报 needs target terms, so without them only the workbook is made.
    """
    as_of = month.last
    threshold_percent = threshold_percent or current_app.config["LIAISON_BULLETIN_THRESHOLD"]
    workbook_name = bulletins.file_name(month.year, month.month, "xlsx")
    files = {}
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        # 市 before 区, as the work plan names the two targets, whatever order they were chosen in.
        terms = sorted(target_terms(as_of), key=lambda term: list(Level).index(term.level))
        if workbook_name in names:
            files[workbook_name] = build_workbook(as_of, made_by, ended_only=True)  # rule R8/R15
        document_name = bulletins.file_name(month.year, month.month, "docx")
        if document_name in names and terms:
            files[document_name] = build_bulletin(month, terms, local_today(), threshold_percent,
                                                  bulletins.download_name(workbook_name), with_names)
    return files
