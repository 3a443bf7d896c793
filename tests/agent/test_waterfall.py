"""Waterfalls derived from realistic pod / Event / Node sequences."""

from __future__ import annotations

import pytest

from agent.app_contract import ContractError, marks_from_annotations
from agent.waterfall import derive_waterfall
from tests.agent.podstory import (
    IMAGE,
    already_present,
    condition,
    event,
    node,
    pod,
    pulled,
    running,
    ts,
)


def test_cold_start_on_a_new_node_with_a_model_download():
    # t=0 created; node created at 5 s, Ready at 95 s; scheduled at 96 s;
    # pull 100 -> 239 s (kubelet measured 2m18.5s); storage-initializer 240 -> 330 s;
    # container started 335 s; CUDA ready 347 s; weights on GPU 355 s; Ready 360 s.
    init = [
        {
            "name": "storage-initializer",
            "restartCount": 0,
            "state": {
                "terminated": {
                    "exitCode": 0,
                    "reason": "Completed",
                    "startedAt": ts(240),
                    "finishedAt": ts(330),
                }
            },
        }
    ]
    marks = {
        "warmstart.io/cuda-ready-at": ts(347),
        "warmstart.io/weights-loaded-at": ts(355),
        "warmstart.io/first-inference-at": "2026-11-28T01:06:01.500Z",
    }
    the_pod = pod(
        [
            condition("PodScheduled", 96),
            condition("Initialized", 330),
            condition("ContainersReady", 360),
            condition("Ready", 360),
        ],
        running(335),
        marks,
        init,
    )
    events = [
        event("Scheduled", "Successfully assigned ml/llama-0 to gpu-node-7", 96, container=None),
        event("Pulling", f'Pulling image "{IMAGE}"', 100),
        pulled(239, "2m18.5s"),
        event("Created", "Created container vllm", 334),
        event("Started", "Started container vllm", 335),
    ]

    w = derive_waterfall(the_pod, events, node(5, 95))

    assert w.complete and w.waiting_on is None
    assert w.stages == {"node": 96.0, "image": 138.5, "model": 90.0, "cuda": 12.0, "h2d": 8.0}
    assert w.image_present is False and w.restarts == 0
    assert w.times.node_ready is not None and w.times.node_created is not None
    assert (w.times.node_ready - w.times.node_created).total_seconds() == 90
    assert w.time_to_ready_s == 360 and w.time_to_first_inference_s == 361.5
    assert w.restart_s is None


def test_image_already_present_costs_nothing():
    the_pod = pod([condition("PodScheduled", 1), condition("Ready", 30)], running(3))
    events = [
        already_present(2),
        event("Created", "Created container vllm", 2),
        event("Started", "Started container vllm", 3),
    ]

    w = derive_waterfall(the_pod, events)

    assert w.image_present is True
    assert w.stages == {"node": 1.0, "image": 0.0}
    assert w.time_to_ready_s == 30


def test_a_container_restart_is_measured_from_the_current_run():
    # First run started at 60 s and crashed; kubelet folded the second Started into
    # the same Event (count 2, last 95 s); the new run reports CUDA ready at 107 s.
    # The annotation from the first run (70 s) is older than the current run: ignored.
    the_pod = pod(
        [condition("PodScheduled", 2), condition("Ready", 130)],
        running(95),
        {"warmstart.io/cuda-ready-at": ts(107), "warmstart.io/model-ready-at": ts(70)},
        restarts=1,
    )
    events = [
        event("Pulling", f'Pulling image "{IMAGE}"', 3),
        pulled(58, "54.2s"),
        event("Started", "Started container vllm", 60, last=95, count=2),
        already_present(94),
        event("BackOff", "Back-off restarting failed container vllm in pod llama-0", 80),
    ]

    w = derive_waterfall(the_pod, events)

    assert w.restarts == 1 and w.restart_s == 35.0  # 95 - 60
    assert w.stages == {"node": 2.0, "image": 54.2, "cuda": 12.0}  # 107 - 95
    assert w.image_present is False  # the first pull counts, not the restart's


def test_a_pod_whose_image_never_arrives_never_becomes_ready():
    waiting = {
        "waiting": {"reason": "ImagePullBackOff", "message": f'Back-off pulling image "{IMAGE}"'}
    }
    the_pod = pod([condition("PodScheduled", 4), condition("Ready", 4, status="False")], waiting)
    events = [
        event("Pulling", f'Pulling image "{IMAGE}"', 5, last=200, count=4),
        event("Failed", f'Failed to pull image "{IMAGE}": not found', 9, last=201, count=4),
        event("BackOff", f'Back-off pulling image "{IMAGE}"', 10, last=260, count=9),
    ]

    w = derive_waterfall(the_pod, events)

    assert not w.complete
    assert (w.waiting_on, w.waiting_reason) == ("image", "ImagePullBackOff")
    assert w.stages == {"node": 4.0} and w.time_to_ready_s is None


def test_a_running_pod_that_never_turns_ready_waits_on_the_app():
    the_pod = pod(
        [condition("PodScheduled", 1), condition("Ready", 3, status="False")],
        running(3),
        {"warmstart.io/cuda-ready-at": ts(20)},
    )
    w = derive_waterfall(
        the_pod, [already_present(2), event("Started", "Started container vllm", 3)]
    )

    assert (w.complete, w.waiting_on) == (False, "app")
    assert w.stages["cuda"] == 17.0


def test_an_unscheduled_pod_waits_on_a_node_and_other_pods_events_are_ignored():
    the_pod = pod([condition("PodScheduled", 0, status="False")], None)
    other = event("Pulled", "x", 5, uid="someone-else", name="other")

    w = derive_waterfall(the_pod, [other])

    assert (w.waiting_on, w.stages) == ("node", {})


def test_marks_may_come_from_the_apps_metrics():
    text = (
        "# TYPE warmstart_startup_mark_timestamp_seconds gauge\n"
        'warmstart_startup_mark_timestamp_seconds{mark="cuda_ready"} 1795827609.0\n'
        'warmstart_startup_mark_timestamp_seconds{mark="weights_loaded"} 1795827615.5\n'
    )
    # 1795827609 is T0 + 9 s; the container started at T0 + 3 s.
    the_pod = pod([condition("PodScheduled", 1), condition("Ready", 20)], running(3))

    w = derive_waterfall(the_pod, [already_present(2)], metrics_text=text)

    assert w.stages["cuda"] == 6.0 and w.stages["h2d"] == 6.5


def test_a_malformed_mark_names_its_annotation():
    with pytest.raises(ContractError, match=r'annotations\["warmstart.io/cuda-ready-at"\]'):
        marks_from_annotations({"warmstart.io/cuda-ready-at": "soon"})


def test_the_record_serialises_in_camel_case_for_the_admin_api():
    the_pod = pod([condition("PodScheduled", 1), condition("Ready", 30)], running(3))
    data = derive_waterfall(the_pod, [already_present(2)]).model_dump(by_alias=True, mode="json")

    assert data["times"]["podCreated"] == "2026-11-28T01:00:00Z"
    assert data["imagePresent"] is True and data["timeToReadyS"] == 30.0
