"""Congress term (届) management pages, for the district committee."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from liaison.accounts.access import DISTRICT_ROLES, ensure_township, roles_required
from liaison.errors import reshows_expired_form
from liaison.extensions import db
from liaison.paging import one_page
from liaison.terms import bp, operations, queries
from liaison.terms.forms import TermForm
from liaison.terms.models import Term
from liaison.townships.models import Township


@bp.route("/terms")
@roles_required(*DISTRICT_ROLES)
def index():
    """All terms by level, newest first, with how many mandates each has."""
    q = request.args.get("q", "").strip()
    pagination = one_page(queries.term_list(q))
    counts = queries.mandate_counts([t.id for t in pagination.items])
    return render_template("terms/index.html", pagination=pagination, q=q, mandate_counts=counts)


def _prepare(form):
    """Fill the township options (0 = none, for 全国, 市 and 区 terms)."""
    form.township_id.choices = [SelectChoice(value="0", label=_l("不属于乡镇（全国、市、区届次）"))] + [
        SelectChoice(value=str(township_id), label=label)
        for township_id, label in queries.township_choices()]


def _submitted(form):
    """The form's values as keyword arguments for the operations."""
    township = db.session.get(Township, form.township_id.data) if form.township_id.data else None
    return dict(level=form.level.data, ordinal=form.ordinal.data, township=township, name=form.name.data,
                start_date=form.start_date.data, end_date=form.end_date.data,
                end_provisional=form.end_provisional.data)


def _saved(term, message):
    """Confirm the saved term, and caution when it is not about five years long."""
    flash(message, "success")
    warning = operations.term_length_warning(term)
    if warning:
        flash(warning, "warning")
    return redirect(url_for(".index"))


@bp.route("/terms/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def new():
    """Add a congress term."""
    form = TermForm()
    _prepare(form)
    if form.validate_on_submit() and form.save(lambda: operations.create_term(**_submitted(form))):
        term = form.saved
        return _saved(term, _l("已添加届次“%(name)s”。", name=term.name))
    return render_template("terms/form.html", form=form, term=None)


@bp.route("/terms/<int:term_id>/edit", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def edit(term_id):
    """Change a term: its dates must still cover its mandates."""
    term = db.get_or_404(Term, term_id)
    if term.township_id is not None:
        ensure_township(term.township_id)
    form = TermForm(obj=term)
    _prepare(form)
    if form.validate_on_submit() and form.save(lambda: operations.update_term(term, **_submitted(form))):
        return _saved(term, _l("已保存届次“%(name)s”。", name=term.name))
    return render_template("terms/form.html", form=form, term=term)
