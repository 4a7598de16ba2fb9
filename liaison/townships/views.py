"""Township (乡镇/街道) and electoral district (选区) management pages, for the district committee."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from liaison.accounts.access import DISTRICT_ROLES, ensure_township, roles_required
from liaison.errors import reshows_expired_form
from liaison.extensions import db
from liaison.terms.models import Term
from liaison.townships import bp, operations, queries
from liaison.forms import id_options
from liaison.paging import one_page
from liaison.townships.forms import DistrictForm, TownshipForm
from liaison.townships.models import ElectoralDistrict, Township


def _township_or_404(township_id):
    """The township, or 404 (also outside the user's scope)."""
    township = db.get_or_404(Township, township_id)
    ensure_township(township.id)
    return township


@bp.route("/townships")
@roles_required(*DISTRICT_ROLES)
def index():
    """All townships, searchable by name, in administrative order, with how many homes and stations each has."""
    q = request.args.get("q", "").strip()
    pagination = one_page(queries.township_list(q))
    counts = queries.station_counts([t.id for t in pagination.items])
    return render_template("townships/index.html", pagination=pagination, q=q, station_counts=counts)


@bp.route("/townships/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def new():
    """Add a township or subdistrict."""
    form = TownshipForm()
    if form.validate_on_submit() and form.save(
            lambda: operations.create_township(form.name.data, form.kind.data, form.position.data,
                                               form.office_name.data)):
        township = form.saved
        flash(_l("已添加%(kind)s“%(name)s”。", kind=township.kind.label, name=township.name), "success")
        return redirect(url_for(".detail", township_id=township.id))
    return render_template("townships/form.html", form=form, township=None)


@bp.route("/townships/<int:township_id>/edit", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def edit(township_id):
    """Rename a township, change its kind, its place in the administrative order or its 制表单位."""
    township = _township_or_404(township_id)
    form = TownshipForm(obj=township)
    if form.validate_on_submit() and form.save(
            lambda: operations.update_township(township, form.name.data, form.kind.data, form.position.data,
                                               form.office_name.data)):
        flash(_l("已保存“%(name)s”。", name=township.name), "success")
        return redirect(url_for(".detail", township_id=township.id))
    return render_template("townships/form.html", form=form, township=township)


@bp.route("/townships/<int:township_id>")
@roles_required(*DISTRICT_ROLES)
def detail(township_id):
    """One township: its electoral districts by term, its own congress terms, its homes and stations."""
    township = _township_or_404(township_id)
    return render_template(
        "townships/detail.html",
        township=township,
        districts_by_term=queries.districts_by_term(township.id),
        own_terms=queries.township_terms(township.id),
        stations=queries.township_stations(township.id),
        # The station pages are built separately; link to them only once they exist.
        station_links="stations.detail" in current_app.view_functions,
    )


@bp.route("/townships/<int:township_id>/districts/new", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def new_district(township_id):
    """Draw a 选区 in this township for a 区 term or the township's own term."""
    township = _township_or_404(township_id)
    form = DistrictForm()
    del form.township_id
    form.term_id.choices = id_options(_l("请选择届次"), queries.district_term_choices(township.id))
    if form.validate_on_submit():
        term = db.session.get(Term, form.term_id.data) if form.term_id.data else None
        if form.save(lambda: operations.create_district(term, township, form.name.data)):
            district = form.saved
            flash(_l("已添加选区“%(name)s”（%(term)s）。", name=district.name, term=district.term.name), "success")
            return redirect(url_for(".detail", township_id=township.id))
    return render_template("townships/district_form.html", form=form, township=township, district=None)


@bp.route("/districts/<int:district_id>/edit", methods=["GET", "POST"])
@reshows_expired_form
@roles_required(*DISTRICT_ROLES)
def edit_district(district_id):
    """Rename a 选区, or move it to another term or township while nothing uses it."""
    district = db.get_or_404(ElectoralDistrict, district_id)
    ensure_township(district.township_id)
    township = district.township
    form = DistrictForm(obj=district)
    # 乡镇 terms of other townships are offered too: the district may be moved along with its township.
    form.term_id.choices = id_options(_l("请选择届次"), queries.district_term_choices())
    form.township_id.choices = id_options(_l("请选择乡镇（街道）"), queries.township_choices())
    if form.validate_on_submit():
        term = db.session.get(Term, form.term_id.data) if form.term_id.data else None
        target = db.session.get(Township, form.township_id.data) if form.township_id.data else None
        if target is not None:
            ensure_township(target.id)
        if form.save(lambda: operations.update_district(district, term, target, form.name.data)):
            flash(_l("已保存选区“%(name)s”。", name=district.name), "success")
            return redirect(url_for(".detail", township_id=district.township_id))
    return render_template("townships/district_form.html", form=form, township=township, district=district)
