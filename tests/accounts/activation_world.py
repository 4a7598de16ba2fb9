"""A township with three deputies whose accounts await activation, one active, and one elsewhere (rule R25)."""
from datetime import date
from types import SimpleNamespace

from liaison.accounts.models import Role
from tests import factories


def build():
    term = factories.make_term(start_date=date(2024, 1, 1), end_date=date(2028, 12, 31), end_provisional=True)
    east, west = factories.make_township(name="东镇"), factories.make_township(name="西镇")
    people = {}
    for name, township, mobile, password in (("王一", east, "15800004917", None), ("李二", east, "15800000022", None),
                                             ("张三", east, "15800000033", None),
                                             ("赵四", east, "15800000044", factories.PASSWORD),
                                             ("钱五", west, "15800000055", None)):
        deputy = factories.make_deputy(name=name, mobile=mobile)
        factories.make_mandate(deputy, term, township)
        people[name] = factories.make_user(roles=(Role.deputy,), deputy=deputy, password=password)
    staff = factories.make_user(roles=(Role.township_staff,), townships=[east])
    return SimpleNamespace(term=term, east=east, west=west, staff=staff, **people)
