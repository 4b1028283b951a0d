"""Vector surveys built through the services, for the tests."""

from datetime import date

from assessment.services.vectors import CountInput, thresholds_load_file, vector_survey_record


def load_thresholds():
    thresholds_load_file()


def survey(city, *, species="rodent", counts=None, district=None, place_type=None, on=date(2026, 7, 1),
           points=(), by=None):
    counts = {"rodent_rooms": (100, 2)} if counts is None else counts
    return vector_survey_record(
        by=by or city.users["hq"], species=species, district=district or city.district_a,
        place_type=place_type or city.market, surveyed_on=on,
        counts={code: CountInput(checked=c, positive=p) for code, (c, p) in counts.items()},
        sample_points=points)
