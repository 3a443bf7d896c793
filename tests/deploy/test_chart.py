"""The Helm chart: lint, each backend's objects, and what every workload must carry.

The API server's own verdict on these objects is in tests/e2e/test_helm_install.py;
here is what Helm alone can show, plus the links to the code: every container of
the warmstart image runs a command the `warmstart` CLI accepts, and the settings
the chart writes load into the components' own settings models.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from extender.settings import ExtenderSettings
from provisioner.settings import ProvisionerSettings
from tests.deploy.conftest import Render
from tests.deploy.render import CHART, NAMESPACE
from warmstart.cli.main import build_parser

BACKENDS = ("karpenter", "provisioning-request", "capacity-buffer", "placeholder-pods")
IMAGE = "ghcr.io/warmstart/warmstart"
Obj = dict[str, Any]


def one(docs: list[Obj], kind: str, name: str) -> Obj:
    (found,) = (d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)
    return found


def workloads(docs: list[Obj]) -> Iterator[Obj]:
    return (d for d in docs if d["kind"] in ("Deployment", "DaemonSet"))


def containers(docs: list[Obj]) -> Iterator[tuple[Obj, Obj]]:
    for w in workloads(docs):
        for c in w["spec"]["template"]["spec"]["containers"]:
            yield w, c


def every_component(backend: str) -> dict[str, Any]:
    return {"backend": backend, "expander": {"enabled": backend != "karpenter"}}


def test_helm_lint_is_clean_for_every_backend(helm: Path) -> None:
    for backend in BACKENDS:
        done = subprocess.run([str(helm), "lint", "--strict", str(CHART), "--set",
                               f"backend={backend}"], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "0 chart(s) failed" in done.stdout


def test_chart_crds_are_deploy_crds() -> None:
    assert (CHART / "crds").resolve() == (CHART.parents[1] / "crds").resolve()


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_container_of_the_image_runs_a_command_the_cli_accepts(
        render: Render, backend: str) -> None:
    ran = set()
    for _, container in containers(render(every_component(backend))):
        if not container["image"].startswith(IMAGE):
            continue
        argv = container["args"]
        args = build_parser(argv).parse_args(argv)
        ran.add(args.command_name)
    expected = {"warmstart extender serve", "warmstart provisioner run", "warmstart agent run",
                "warmstart admin serve"}
    if backend != "karpenter":
        expected.add("warmstart provisioner expander")
    assert ran == expected


@pytest.mark.parametrize("backend", BACKENDS)
def test_rendered_settings_load_into_the_components_models(render: Render, backend: str) -> None:
    docs = render({"backend": backend, "provisioner": {"shadow": True},
                   "extender": {"settings": {"staleAfterSeconds": 300}}})
    raw = yaml.safe_load(one(docs, "ConfigMap", "warmstart-provisioner")["data"]["settings.yaml"])
    settings = ProvisionerSettings.model_validate(raw)
    assert settings.backend == ("placeholder" if backend == "placeholder-pods" else backend)
    assert settings.namespace == NAMESPACE and settings.shadow is True
    assert settings.lease_name == "warmstart-provisioner"
    extender = yaml.safe_load(one(docs, "ConfigMap", "warmstart-extender")["data"]["extender.yaml"])
    assert ExtenderSettings.model_validate(extender).stale_after_s == 300


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_workload_is_probed_locked_down_and_limited(render: Render, backend: str) -> None:
    for workload, c in containers(render(every_component(backend))):
        pod = workload["spec"]["template"]["spec"]
        where = f"{workload['metadata']['name']}/{c['name']}"
        sc = c["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False, where
        assert sc["readOnlyRootFilesystem"] is True, where
        assert sc["capabilities"]["drop"] == ["ALL"], where
        assert sc.get("runAsNonRoot") or pod["securityContext"].get("runAsNonRoot"), where
        assert "memory" in c["resources"]["limits"], where
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
        assert "readinessProbe" in c and "livenessProbe" in c, where


def test_the_agent_runs_as_root_only_when_asked(render: Render) -> None:
    def agent(values: dict[str, Any]) -> tuple[Obj, Obj]:
        ds = one(render({"agent": values}), "DaemonSet", "warmstart-agent")
        spec = ds["spec"]["template"]["spec"]
        return spec["securityContext"], spec["containers"][0]["securityContext"]

    pod, container = agent({})
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] == 65532
    assert "add" not in container["capabilities"]
    pod, container = agent({"rootForSharedCache": True})
    assert container["runAsUser"] == 0 and "runAsNonRoot" not in pod
    assert container["capabilities"] == {"drop": ["ALL"], "add": ["FOWNER", "DAC_OVERRIDE"]}


def test_the_agent_is_on_gpu_nodes_with_its_cache_and_no_cuda_probe_by_default(
        render: Render) -> None:
    ds = one(render(), "DaemonSet", "warmstart-agent")
    spec = ds["spec"]["template"]["spec"]
    args = spec["containers"][0]["args"]
    assert "--cuda-probe" not in args
    assert spec["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in (
        spec["tolerations"])
    (models,) = (v for v in spec["volumes"] if v["name"] == "models")
    assert models["hostPath"]["path"] == "/var/lib/warmstart/models"
    assert "--cache-dir=/var/lib/warmstart/models" in args
    probed = one(render({"agent": {"cudaProbe": True}}), "DaemonSet", "warmstart-agent")
    assert "--cuda-probe" in probed["spec"]["template"]["spec"]["containers"][0]["args"]


def test_the_extender_is_replicated_behind_a_service_with_a_pdb_over_tls(render: Render) -> None:
    docs = render()
    deployment = one(docs, "Deployment", "warmstart-extender")
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert deployment["spec"]["replicas"] >= 2
    assert one(docs, "Service", "warmstart-extender")["spec"]["selector"] == selector
    pdb = one(docs, "PodDisruptionBudget", "warmstart-extender")
    assert pdb["spec"]["selector"]["matchLabels"] == selector and pdb["spec"]["minAvailable"] == 1
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http",
                                                      "scheme": "HTTPS"}
    assert "--tls-cert=/etc/warmstart-tls/tls.crt" in container["args"]
    config = scheduler_config(docs)
    (extender,) = config["extenders"]
    assert extender["urlPrefix"] == f"https://warmstart-extender.{NAMESPACE}.svc:8888"
    assert extender["enableHTTPS"] is True
    assert extender["tlsConfig"]["caFile"] == "/etc/warmstart/extender-ca/ca.crt"


def test_plain_http_when_tls_is_off(render: Render) -> None:
    docs = render({"extender": {"tls": {"enabled": False}}})
    (extender,) = scheduler_config(docs)["extenders"]
    assert extender["urlPrefix"].startswith("http://") and "tlsConfig" not in extender
    args = one(docs, "Deployment", "warmstart-extender")["spec"]["template"]["spec"][
        "containers"][0]["args"]
    assert not any(a.startswith("--tls") for a in args)


def test_cert_manager_issues_the_extender_certificate_when_asked(render: Render) -> None:
    docs = render({"extender": {"tls": {"certManager": {"enabled": True,
                                                        "issuerRef": {"name": "ca"}}}}})
    cert = one(docs, "Certificate", "warmstart-extender")
    assert cert["spec"]["secretName"] == "warmstart-extender-tls"
    assert f"warmstart-extender.{NAMESPACE}.svc" in cert["spec"]["dnsNames"]


def scheduler_config(docs: list[Obj]) -> Obj:
    text = one(docs, "ConfigMap", "warmstart-scheduler")["data"]["scheduler-config.yaml"]
    config: Obj = yaml.safe_load(text)
    return config


def test_second_scheduler_serves_only_the_warmstart_profile_with_its_own_lease(
        render: Render) -> None:
    docs = render()
    config = scheduler_config(docs)
    assert [p["schedulerName"] for p in config["profiles"]] == ["warmstart-gpu"]
    assert config["profiles"][0]["percentageOfNodesToScore"] == 100
    assert config["leaderElection"]["resourceName"] == "warmstart-scheduler"
    assert "clientConnection" not in config  # in-cluster credentials
    deployment = one(docs, "Deployment", "warmstart-scheduler")
    args = deployment["spec"]["template"]["spec"]["containers"][0]["command"]
    assert "--config=/etc/warmstart/scheduler/scheduler-config.yaml" in args


def test_patch_default_mode_gives_a_configuration_and_no_scheduler(render: Render) -> None:
    docs = render({"scheduler": {"mode": "patch-default"}, "extender": {"weight": 0}})
    config = scheduler_config(docs)
    assert [p["schedulerName"] for p in config["profiles"]] == [
        "default-scheduler", "warmstart-gpu"]
    assert config["extenders"][0]["weight"] == 0
    assert not [d for d in docs if d["metadata"]["name"] == "warmstart-scheduler"
                and d["kind"] == "Deployment"]


def rules(docs: list[Obj], kind: str) -> set[tuple[str, str]]:
    role = one(docs, kind, "warmstart-provisioner")
    return {(r, v) for rule in role["rules"] for r in rule["resources"] for v in rule["verbs"]}


@pytest.mark.parametrize(("backend", "cluster_writes", "namespaced_writes"), [
    ("karpenter", {"nodeclaims"}, set()),
    ("provisioning-request", set(), {"podtemplates", "provisioningrequests"}),
    ("capacity-buffer", set(), {"podtemplates", "capacitybuffers"}),
    ("placeholder-pods", {"priorityclasses"}, {"pods"}),
])
def test_the_provisioner_may_write_only_what_its_backend_makes(
        render: Render, backend: str, cluster_writes: set[str],
        namespaced_writes: set[str]) -> None:
    docs = render({"backend": backend})
    cluster, namespaced = rules(docs, "ClusterRole"), rules(docs, "Role")
    # every backend stages models: the warmth planner's Prefetches (cluster-scoped)
    assert {r for r, v in cluster if v == "create" and r != "events"} == \
        cluster_writes | {"prefetches"}
    own = {"leases", "configmaps"}  # its Lease and its decisions journal
    assert {r for r, v in namespaced if v == "create" and r not in own} == namespaced_writes
    assert one(docs, "Role", "warmstart-provisioner")["metadata"]["namespace"] == NAMESPACE
    assert {("leases", "update")} <= namespaced
    placeholder_class = [d for d in docs if d["kind"] == "PriorityClass"]
    if backend == "placeholder-pods":
        (pc,) = placeholder_class
        assert (pc["metadata"]["name"], pc["value"], pc["preemptionPolicy"]) == (
            "warmstart-placeholder", -10, "Never")
    else:
        assert placeholder_class == []


def test_provisioning_requests_are_granted_only_in_the_namespaces_named(render: Render) -> None:
    docs = render({"backend": "provisioning-request",
                   "provisioner": {"requestNamespaces": ["serving", "batch"]}})
    role = one(docs, "ClusterRole", "warmstart-provisioner-requests")
    assert {(r, v) for rule in role["rules"] for r in rule["resources"] for v in rule["verbs"]} == {
        ("provisioningrequests", "create"), ("provisioningrequests", "delete"),
        ("podtemplates", "get"), ("podtemplates", "create"), ("podtemplates", "delete"),
        ("pods", "patch")}
    bindings = [d for d in docs if d["kind"] == "RoleBinding"
                and d["roleRef"]["name"] == "warmstart-provisioner-requests"]
    assert sorted(b["metadata"]["namespace"] for b in bindings) == ["batch", "serving"]
    assert not [d for d in render({"backend": "karpenter"})
                if d["metadata"]["name"] == "warmstart-provisioner-requests"]


def test_components_can_be_turned_off(render: Render) -> None:
    docs = render({"extender": {"enabled": False}, "agent": {"enabled": False},
                   "provisioner": {"enabled": False}, "admin": {"enabled": False}})
    assert list(workloads(docs)) == []


def test_monitoring_objects_only_where_the_operator_serves_them(render: Render) -> None:
    plain = render()
    assert not [d for d in plain if d["apiVersion"].startswith("monitoring.coreos.com")]
    docs = render({}, "--api-versions", "monitoring.coreos.com/v1/ServiceMonitor",
                  "--api-versions", "monitoring.coreos.com/v1/PrometheusRule")
    monitors = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ServiceMonitor"}
    assert set(monitors) == {"warmstart-extender", "warmstart-provisioner", "warmstart-agent"}
    for name, monitor in monitors.items():  # each finds a Service with the port it names
        service = one(docs, "Service", name)
        assert service["spec"]["selector"] == monitor["spec"]["selector"]["matchLabels"]
        (endpoint,) = monitor["spec"]["endpoints"]
        assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
    rule = one(docs, "PrometheusRule", "warmstart-monitoring")
    shipped = yaml.safe_load((CHART.parents[1] / "monitoring" / "prometheusrule.yaml").read_text())
    assert rule["spec"] == shipped["spec"]  # deploy/monitoring's alerts, not a copy


def test_network_policies_admit_only_the_ports_components_listen_on(render: Render) -> None:
    docs = render(every_component("provisioning-request"))
    policies = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "NetworkPolicy"}
    ports = {name: [p["port"] for rule in spec["ingress"] for p in rule["ports"]]
             for name, spec in policies.items()}
    assert ports["warmstart-extender"] == [8888] and ports["warmstart-agent"] == [9402]
    assert ports["warmstart-expander"] == [8443] and ports["warmstart-provisioner"] == [8081]


@pytest.mark.parametrize(("values", "complaint"), [
    ({"backend": "cluster-autoscaler"}, "/backend"),
    ({"extender": {"replicas": "two"}}, "/extender/replicas"),
    ({"extender": {"replica": 2}}, "replica"),
    ({"agent": {"quota": "lots"}}, "/agent/quota"),
    ({"scheduler": {"mode": "both"}}, "/scheduler/mode"),
    ({"provisioner": {"settings": {"backend": "karpenter"}}}, "/provisioner/settings"),
    ({"image": {"digest": "latest"}}, "/image/digest"),
    ({"expander": {"enabled": True}}, "Karpenter does not call it"),
    ({"extender": {"tls": {"certManager": {"enabled": True}}}}, "issuerRef.name"),
])
def test_a_wrong_value_fails_naming_it(render: Render, values: dict[str, Any],
                                       complaint: str) -> None:
    with pytest.raises(RuntimeError, match=complaint):
        render(values)


def test_with_a_prometheus_url_the_provisioner_forecasts_for_itself(render: Render) -> None:
    def args(values: dict[str, object]) -> list[str]:
        deployment = one(render(values), "Deployment", "warmstart-provisioner")
        return list(deployment["spec"]["template"]["spec"]["containers"][0]["args"])

    assert "--forecast-file=/var/run/warmstart/forecast/forecast.json" in args({})
    refit = args({"provisioner": {"prometheus": {"url": "http://prometheus:9090",
                                                 "refitInterval": "30m"}}})
    assert [a for a in refit if a.startswith("--") and "forecast" in a] == []
    assert {"--prometheus-url=http://prometheus:9090", "--preset=vllm",
            "--refit-interval=30m", "--history=7d"} <= set(refit)
