"""cs231n_utils.schedules: multipliers at the points that define each schedule."""

import math
import pickle

import pytest

from cs231n_utils import schedules

T = 1000  # total iterations in these tests


def test_constant_is_one_everywhere():
    schedule = schedules.constant()
    assert [schedule(i, T) for i in (0, 1, 500, 999, 1000)] == [1.0] * 5


def test_step_decay_drops_at_its_milestones():
    schedule = schedules.step_decay()
    assert schedule(0, T) == 1.0
    assert schedule(499, T) == 1.0
    assert schedule(500, T) == pytest.approx(0.1)
    assert schedule(749, T) == pytest.approx(0.1)
    assert schedule(750, T) == pytest.approx(0.01)
    assert schedule(999, T) == pytest.approx(0.01)


def test_step_decay_milestones_round_to_the_nearest_iteration():
    schedule = schedules.step_decay(drop=0.5, milestones=(0.7,))
    # 0.7 * 10 is 7.000000000000001 in floating point: the drop still comes at 7.
    assert [schedule(i, 10) for i in (6, 7)] == [1.0, 0.5]


def test_cosine_without_warmup():
    schedule = schedules.cosine()
    assert schedule(0, T) == 1.0
    assert schedule(500, T) == pytest.approx(0.5)
    assert schedule(250, T) == pytest.approx(0.5 * (1 + math.cos(math.pi / 4)))
    assert schedule(T, T) == pytest.approx(0.0, abs=1e-15)
    values = [schedule(i, T) for i in range(T)]
    assert all(b <= a for a, b in zip(values, values[1:])), "not decreasing"


def test_cosine_with_warmup_and_final():
    schedule = schedules.cosine(warmup=0.1, final=0.2)
    assert schedule(0, T) == 0.0
    assert schedule(50, T) == pytest.approx(0.5)
    assert schedule(100, T) == 1.0
    assert schedule(550, T) == pytest.approx(0.6)  # half-way down the cosine: (1 + 0.2) / 2
    assert schedule(T, T) == pytest.approx(0.2)
    assert min(schedule(i, T) for i in range(100, T)) > 0.2


def test_one_cycle_rises_then_falls():
    schedule = schedules.one_cycle(peak_at=0.3, start=0.1, end=0.001)
    assert schedule(0, T) == pytest.approx(0.1)
    assert schedule(150, T) == pytest.approx(0.55)
    assert schedule(300, T) == 1.0
    assert schedule(650, T) == pytest.approx((1 + 0.001) / 2)  # cosine mid-point
    assert schedule(T, T) == pytest.approx(0.001)
    values = [schedule(i, T) for i in range(T)]
    assert values.index(max(values)) == 300


def test_schedules_work_for_tiny_runs():
    for schedule in (schedules.cosine(warmup=0.5), schedules.one_cycle(peak_at=0.9), schedules.step_decay()):
        values = [schedule(i, 1) for i in range(2)] + [schedule(i, 3) for i in range(4)]
        assert all(0.0 <= v <= 1.0 for v in values), (schedule, values)


def test_schedules_pickle_and_describe_themselves():
    schedule = schedules.cosine(warmup=0.05, final=0.0)
    assert repr(schedule) == "cosine(warmup=0.05, final=0.0)"
    assert repr(schedules.step_decay()) == "step_decay(drop=0.1, milestones=(0.5, 0.75))"
    copy = pickle.loads(pickle.dumps(schedule))
    assert copy(123, T) == schedule(123, T)


@pytest.mark.parametrize(
    "factory, kwargs, message",
    [
        (schedules.step_decay, {"drop": 0.0}, "drop"),
        (schedules.step_decay, {"drop": 1.5}, "drop"),
        (schedules.step_decay, {"milestones": (0.75, 0.5)}, "increasing"),
        (schedules.step_decay, {"milestones": (0.5, 1.0)}, "milestone"),
        (schedules.step_decay, {"milestones": 0.5}, "sequence"),
        (schedules.cosine, {"warmup": 1.0}, "warmup"),
        (schedules.cosine, {"warmup": -0.1}, "warmup"),
        (schedules.cosine, {"final": 2.0}, "final"),
        (schedules.cosine, {"final": float("nan")}, "final"),
        (schedules.one_cycle, {"peak_at": 1.0}, "peak_at"),
        (schedules.one_cycle, {"start": 0.0}, "start"),
        (schedules.one_cycle, {"end": "0"}, "end"),
    ],
)
def test_bad_settings_are_refused(factory, kwargs, message):
    with pytest.raises(ValueError, match=message):
        factory(**kwargs)


@pytest.mark.parametrize("iteration, total", [(-1, 10), (0, 0), (1.5, 10), (0, 10.0)])
def test_bad_calls_are_refused(iteration, total):
    with pytest.raises(ValueError, match="iteration"):
        schedules.cosine()(iteration, total)
