"""The survey's budget (madnis_py.generator.SurveyPlan): fixed minima for a few channels, shrinking ones for
many (p p > t t~ j j: 1491 channels), so that the minima never dominate the cost."""

from __future__ import annotations

import numpy as np

from madnis_py.generator import SurveyPlan


def test_first_stage_points_shrink_with_the_channel_count():
    plan = SurveyPlan()
    assert plan.first_points_for(100) == plan.first_points  # 3 x 1000 x 100 fits the first-stage budget
    many = plan.first_points_for(1000)
    assert plan.first_iterations * many * 1000 <= plan.first_budget
    assert plan.first_points_for(100_000) == plan.first_points_min  # never below the floor


def test_second_stage_minimum_takes_at_most_half_the_budget():
    plan = SurveyPlan()
    few = plan.shares(np.array([1.0, 0.0, 0.0]))
    assert few.min() == plan.min_points and few.sum() <= plan.budget + 2 * plan.min_points
    for n in (500, 2000, 5000):
        shares = plan.shares(np.r_[1.0, np.zeros(n - 1)])  # one channel carries the cross section
        assert shares[0] == plan.budget
        assert shares[1:].min() == shares[1:].max() == max(plan.budget // (2 * n), plan.min_points_floor)
