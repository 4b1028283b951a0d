"""The demo step: a year of surveys per district and species, with real differences (the last
district fails mosquitoes in summer), two failed surveys' problems raised; run again, nothing."""

from assessment.demo.vectors import demo_vectors_build
from assessment.models import VectorSurvey
from campaign.choices import Role
from campaign.models import District, SamplePoint
from campaign.tests.factories import make_category, make_user
from ledger.models import Problem


def test_demo_vectors(db):
    districts = [District.objects.create(code=f"D0{i}", name=f"区{i}", name_en=f"D{i}") for i in range(1, 4)]
    for code in ("KP-MARKET", "KP-OLDRES", "KP-CATER"):
        make_category(code, code, code)
    make_user("hq", Role.HQ_STAFF)
    created, surveys, problems = demo_vectors_build()
    assert surveys == 12 * 3 * 4 and VectorSurvey.objects.count() == surveys
    last = districts[-1]
    summer = VectorSurvey.objects.filter(district=last, species="mosquito", surveyed_on__month__in=(6, 7, 8))
    assert summer.exists() and all(not s.passed for s in summer)
    model = VectorSurvey.objects.filter(district=districts[0])
    assert model.filter(level__in=("A", "B")).count() > model.count() * 0.7
    assert problems >= 1 and Problem.objects.filter(source_ref__startswith="vector_survey:").count() == problems
    assert not SamplePoint.objects.exists()  # no points named: problems for the district and place type
    assert demo_vectors_build()[1:] == (0, 0)
