"""Celestra classes pykro does not provide: creating one raises a PykroError saying what to use instead, so a
Celestra script stops at its first such line rather than doing less than it says."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, NoReturn

from pykro.authoring._location import fail
from pykro.builders._base import unsupported

__all__ = [
    "NOT_SUPPORTED",
    "Deployment",
    "PluginBase",
    "PluginManager",
    "PluginMetadata",
    "PluginType",
    "TemplateEngine",
    "TemplateManager",
    "TerraformOutput",
    "install",
]


class _NotSupported:
    WHY = ""
    INSTEAD = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse(type(self).__name__, self.WHY, self.INSTEAD)


def _refuse(name: str, why: str, instead: str) -> NoReturn:
    raise fail(f"{name} is not supported: {why}", f"Use {instead}.")


class TerraformOutput(_NotSupported):
    WHY = "pykro writes Kubernetes objects (and kro ResourceGraphDefinitions), not Terraform"
    INSTEAD = "KubernetesOutput().generate(builder, dir), or Terraform's kubernetes_manifest on those files"


class PluginManager(_NotSupported):
    WHY = "pykro has no plugin system"
    INSTEAD = "plain Python: a function that takes a builder and calls its setters"


class PluginBase(_NotSupported):
    WHY = PluginManager.WHY
    INSTEAD = PluginManager.INSTEAD


class PluginType(_NotSupported):
    WHY = PluginManager.WHY
    INSTEAD = PluginManager.INSTEAD


class PluginMetadata(_NotSupported):
    WHY = PluginManager.WHY
    INSTEAD = PluginManager.INSTEAD


class Deployment(_NotSupported):
    WHY = "Celestra documents a Deployment class on one page but does not export one: its Deployment builder is App"
    INSTEAD = "App(name), which makes a Deployment (and a Service when it has ports)"


class TemplateManager(_NotSupported):
    WHY = "pykro has no template engine"
    INSTEAD = "a Python function returning a configured builder, or a @composition with a spec"


class TemplateEngine(_NotSupported):
    WHY = TemplateManager.WHY
    INSTEAD = TemplateManager.INSTEAD


# ------------------------------------------------------------------------------------------------ methods
# Celestra's documented methods (docs/components/** and the API reference) that pykro does not do, per class:
# (methods, why, what to use instead). install() makes each one raise "X.m() is not supported: why. Use instead."
# (tests/builders/test_documented_api.py checks that every documented method is implemented or listed here).
_K8S = "Kubernetes has no such field"
_MESH = "pykro configures no service mesh"
_MESH_INSTEAD = "your mesh's own resources or annotations (.add_annotation(...))"
_CONTROLLER = "it needs a controller pykro does not run"
_EXTERNAL_CLIENT = "it is the calling application's client behaviour, not a Kubernetes object"
_CLIENT_INSTEAD = "the application's own configuration (.env(...) on the App that calls it)"
_FINOPS = "pykro makes no cost reports, budgets or cloud-billing settings"
_FINOPS_INSTEAD = "CostEstimator().estimate(builder) and CostOptimization(...).analyze(builder)"
_OBS = "dashboards, alerting and backends are the monitoring stack's, not the workload's"
_OBS_INSTEAD = "Observability().enable_metrics/enable_logging/enable_tracing and your stack's own resources"
_WAIT = "pykro's waits are kubectl wait on named objects, in call order"
_WAIT_INSTEAD = "wait_for_deployment/statefulset/job/pod/service/configmap/secret(name), timeout, retry_interval"
_PROGRESSIVE = "blue-green and canary rollouts need a progressive-delivery controller (Argo Rollouts, Flagger)"
_PROGRESSIVE_INSTEAD = "rolling_update(max_surge, max_unavailable) or recreate(), or that controller's resources"
_AUTOSCALE = "pykro's Scaling is a HorizontalPodAutoscaler on CPU/memory utilisation"
_AUTOSCALE_INSTEAD = "target_cpu_utilization/target_memory_utilization, min/max_replicas, scale_up/down_delay"
_NODES = "node groups and the cluster autoscaler are the cloud provider's settings"
_NODES_INSTEAD = "your provider's node-group configuration (eksctl, Terraform, ...)"
_PSA = "pykro sets pod and container securityContext fields, not admission, audit or compliance settings"
_PSA_INSTEAD = "pod_security_standard(...) here and AppGroup.configure_security(pod_security_policy=...)"
_NP = "pykro's NetworkPolicy rules are allow rules (NetworkPolicies cannot deny, log or be ordered)"
_NP_INSTEAD = "allow_from_pods/namespace(s)/ip_blocks, allow_egress_to_..., allow_dns, deny_all, policy_type"
_CRD = "pykro writes one-version CustomResourceDefinitions without webhooks or conversion"
_CRD_INSTEAD = "api_version, kind, plural, scope, schema_properties/schema_required, subresources, printer columns"
_PLUGINS = "pykro has no plugin or template system"
_PLUGINS_INSTEAD = "plain Python: a function that takes a builder and calls its setters"

NOT_SUPPORTED: Final[dict[str, list[tuple[str, str, str]]]] = {
    "App": [
        ("add_security", "Celestra's add_security takes a SecurityPolicy under another name",
         "add_security_policy(SecurityPolicy(...))"),
        ("add_jobs", "an App makes its Deployment and Service; Jobs are builders of their own",
         "AppGroup(name).add_services([app, job, ...]) to create them together"),
        ("dependencies", "a DependencyManager is a Job of its own; the App's pods do not wait for it",
         "AppGroup(name).add_services([DependencyManager(...), app]) (kro orders the rest by references)"),
        ("check_best_practices", "the best-practice checks are the Validator's", "validate() (or Validator())"),
        ("for_environment", "pykro does not keep per-environment presets in a builder",
         "a Python function taking the environment, or KustomizeOutput(...).generate(base, dir, overlays={...})"),
    ],
    "AppGroup": [],
    "StatefulApp": [
        ("topics retention_hours", "Kafka topics and retention are created by Kafka (or an operator), not the pod",
         ".kafka_config({'log.retention.hours': '168'}) and a topic-creating Job"),
        ("persistence", "persistence is the image's setting", ".redis_config({'save': '60 1000'}) for Redis"),
    ],
    "Job": [
        ("retention_limit", "a Job keeps no history (a CronJob keeps its finished Jobs)",
         "CronJob(...).retention_limit(n) or history_limits(successful, failed)"),
    ],
    "CronJob": [
        ("volumes", "a volume needs a source (a claim, an emptyDir, ...), which this list does not say",
         "add_volume(Volume('backup-storage').size('10Gi').mount_path('/backup'))"),
    ],
    "ConfigMap": [
        ("mount_as_file", "a ConfigMap is mounted as a directory of its keys",
         "mount_path('/app/config') (each key a file there)"),
    ],
    "Role": [
        ("allow on", "rules are written in one call", "add_policy(verb, *resources) or allow_get/list/...(*resources)"),
    ],
    "ClusterRole": [
        ("allow on", "rules are written in one call", "add_policy(verb, *resources) or allow_get/list/...(*resources)"),
    ],
    "Ingress": [
        ("custom_headers middleware rate_limiting redirect_http_to_https timeout ssl_certificate",
         "these are settings of one ingress controller, not of the Ingress API",
         ".annotation(key, value) with your controller's annotation (and tls(host, secret) for certificates)"),
        ("load_balancer_class", _K8S + " on an Ingress (it is a Service's)", "ingress_class('nginx')"),
        ("path", "a path needs its backend", "route(path, service, port) or exact_path/prefix_path(path, service)"),
    ],
    "Lifecycle": [
        ("post_start_exec", "post_start runs a command already", "post_start(['./init-script.sh'])"),
        ("on_failure", "restart policy and retries are the workload's",
         "Job(...).restart_policy('OnFailure').retry_limit(3)"),
        ("cleanup_on_exit", "Kubernetes runs no command after a container exits", "pre_stop([...]) (runs before)"),
    ],
    "KubernetesOutput": [
        ("write_resource", "every object is written from a builder, after its checks",
         "KubernetesOutput().generate(builder, dir)"),
    ],
    "ResourceGenerator": [
        ("to_cost_report to_recommendations", _FINOPS, _FINOPS_INSTEAD),
    ],
    "Validator": [
        ("security_scan", "security checks are the SecurityScanner's", "SecurityScanner().scan(builder)"),
        ("cost_optimization", "cost checks are CostOptimization's", "CostOptimization(name).resource_optimization()"
         ".analyze(builder), or App.add_cost_optimizer(...)"),
    ],
    "Companion": [
        ("adapter_container adapter_port adapter_protocol adapter_resources ambassador_config ambassador_container "
         "ambassador_environment ambassador_health_check ambassador_port ambassador_resources "
         "ambassador_security_context", "an adapter or ambassador is a sidecar like any other",
         "Companion(name).type('sidecar').image(...).port(...).resources(...)"),
        ("service_mesh_port service_mesh_sidecar service_mesh_type", _MESH, _MESH_INSTEAD),
        ("sidecar_health_check init_health_check sidecar_security_context init_security_context init_timeout "
         "lifecycle_hooks", "a Companion's probes, security context and hooks are not in pykro",
         "the workload's own probes and add_security_policy(...) (applied to every container)"),
        ("termination_grace_period", "the grace period is the pod's", "App(...).add_lifecycle(Lifecycle()"
         ".termination_grace_period(30))"),
        ("shared_volume volume_mount_path read_only_volume", "a Companion shares one emptyDir with the main container",
         "mount_shared_volume(path)"),
    ],
    "CostOptimization": [
        ("namespace add_label add_labels add_annotation add_annotations generate",
         "CostOptimization makes no object: it checks builders", "analyze(builder), or App.add_cost_optimizer(...)"),
        ("alert_threshold budget_alerts budget_limit cost_analysis cost_anomaly_detection cost_breakdown "
         "cost_forecasting cost_optimization_schedule cost_savings_tracking optimization_reporting",
         _FINOPS, _FINOPS_INSTEAD),
        ("spot_instance_config spot_instance_fallback spot_instance_management spot_instance_mix "
         "spot_instance_strategy instance_type_optimization instance_type_recommendation "
         "reserved_instance_recommendation node_group_config cluster_autoscaler_optimization", _NODES, _NODES_INSTEAD),
        ("autoscaling_config horizontal_scaling_optimization vertical_scaling_optimization",
         "scaling is the Scaling builder's", "autoscaling_optimization() here and App.scale(Scaling(...))"),
        ("backup_optimization storage_class_optimization storage_retention_optimization data_transfer_optimization "
         "network_cost_optimization network_optimization", "pykro has no such cost check",
         "storage_optimization(), resource_optimization(), cpu/memory_optimization()"),
    ],
    "CustomResource": [
        ("conversion_url deprecated_versions served_versions storage_version webhook_config webhook_failure_policy "
         "webhook_timeout schema_validation", _CRD, _CRD_INSTEAD),
        ("schema spec status metadata schema_additional_properties x_kubernetes_list_type subresources_enabled",
         "the schema is written with pykro's schema setters", _CRD_INSTEAD),
    ],
    "DependencyManager": [
        ("check_dependency_cycles generate_dependency_graph resolve_dependencies validate_dependencies then_start "
         "dependency_order sequential_dependencies parallel_dependencies dependency_group dependency_type "
         "dependency_condition dependency_max_retries failure_action success_action wait_for_if",
         "waits run in call order in one Job; kro orders the rest by references", _WAIT_INSTEAD),
        ("depends_on_cron_job depends_on_custom_resource depends_on_health_check depends_on_namespace "
         "depends_on_persistent_volume_claim wait_for wait_for_all wait_for_any wait_for_config_map "
         "wait_for_custom_check wait_for_external_service wait_for_group wait_for_healthy_pods "
         "wait_for_load_balancer_ready wait_for_persistent_volume wait_for_sequence wait_for_service_endpoints "
         "health_check_headers health_check_method health_check_status_code", _WAIT, _WAIT_INSTEAD),
    ],
    "WaitCondition": [
        ("backoff_policy custom_check custom_resource_condition dependency_order depends_on deployment_ready_condition "
         "deployment_replicas expected_topics failure_action health_check health_check_headers health_check_method "
         "health_check_status_code job_completion_condition max_retries parallel_wait pod_phase pod_ready_condition "
         "poll_interval service service_endpoints statefulset_replicas success_action success_criteria "
         "wait_for_custom_resource wait_for_health_check", _WAIT, _WAIT_INSTEAD),
    ],
    "DeploymentStrategy": [
        ("auto_promote auto_promotion automatic_rollback blue_green blue_green_health_check "
         "blue_green_rollback_enabled blue_green_timeout canary canary_duration canary_metrics canary_threshold "
         "canary_traffic metrics_threshold progressive_deployment rollback_enabled rollback_on_failure "
         "rollback_threshold rollback_window stage_duration stages traffic_cookies traffic_headers traffic_percentage "
         "traffic_routing traffic_shift duration pre_hook post_hook deployment_pause deployment_resume",
         _PROGRESSIVE, _PROGRESSIVE_INSTEAD),
        ("health_check health_check_interval health_check_retries health_check_timeout",
         "a rollout waits for readiness probes", "the App's readiness_probe(...)"),
        ("progress_deadline progress_deadline_seconds update_period_seconds", "not in pykro's DeploymentStrategy",
         "min_ready_seconds(...) and the rolling_update settings"),
    ],
    "ExternalServices": [
        ("api_key basic_auth bearer_token oauth2_client", _EXTERNAL_CLIENT,
         "a Secret the application reads (App.add_secret(...))"),
        ("burst_limit circuit_breaker_half_open_requests circuit_breaker_threshold circuit_breaker_timeout "
         "connection_timeout keep_alive max_retries rate_limit_window read_timeout retry_backoff "
         "retry_on_status_codes write_timeout load_balancer tls_ca_cert tls_client_cert tls_client_key tls_enabled "
         "tls_verify protocol health_check_endpoint", _EXTERNAL_CLIENT, _CLIENT_INSTEAD),
        ("enable_metrics enable_tracing metrics_port tracing_sampler tracing_sampling_rate service_mesh "
         "service_mesh_type", _MESH, _MESH_INSTEAD),
        ("add_endpoint", "an ExternalName Service points at one host", "one ExternalServices(name) per endpoint"),
        ("service_type", "an external service is an ExternalName Service", "endpoint(url) and port(port)"),
    ],
    "Health": [
        ("failure_threshold initial_delay_seconds period_seconds timeout_seconds health_check_interval "
         "health_check_timeout health_check_retries", "a probe's timing is given with the probe, not for all probes",
         "liveness_probe(path, port, initial_delay=30, period=10, timeout=5, failure_threshold=3) (and the others)"),
        ("health_check_path health_check_port http_path http_port liveness_http_get readiness_http_get "
         "startup_http_get", "a probe's path and port are given with the probe",
         "liveness_probe(path, port) / readiness_probe(path, port) / startup_probe(path, port)"),
        ("exec_command exec_working_dir liveness_exec_command readiness_exec_command startup_exec_command tcp_host "
         "tcp_port liveness_tcp_socket readiness_tcp_socket startup_tcp_socket http_headers http_scheme "
         "health_check_method success_threshold custom_probes", "Health's probes are plain HTTP GETs",
         "an HTTP endpoint for the probe, or the probe written into the pod with pykro.simple"),
        ("basic_health_check custom_health_check database_health_check production_health_check "
         "web_application_health_check", "pykro has no probe presets: each probe says what it checks",
         "liveness_probe/readiness_probe/startup_probe(path, port, ...)"),
        ("log_config metrics_endpoint", "logging and metrics are Observability's",
         "Observability().enable_logging(...)/enable_metrics(port, path)"),
    ],
    "Observability": [
        ("add_alert_rules add_dashboards add_metric alert_manager alert_rule alerting_config business_metrics "
         "custom_metrics dashboard elasticsearch_integration enable_apm error_tracking grafana_integration grafana_url "
         "jaeger_integration kibana_integration performance_monitoring prometheus_integration prometheus_metrics "
         "backup_enabled retention_period log_rotation", _OBS, _OBS_INSTEAD),
        ("metrics_path metrics_port", "the metrics port and path are enable_metrics()'s", "enable_metrics(port, path)"),
        ("log_level log_format log_fields logging_config", "the log settings are enable_logging()'s",
         "enable_logging(level, format)"),
        ("sampling_rate tracing_backend tracing_config trace_context_propagation",
         "the tracing settings are enable_tracing()'s", "enable_tracing(endpoint, sampling_rate)"),
        ("health_check_endpoint liveness_endpoint readiness_endpoint", "probes are the workload's",
         "the workload's liveness_probe/readiness_probe(path, port)"),
    ],
    "Scaling": [
        ("add_custom_metric add_external_metric add_prometheus_metric auto_scale_on_custom_metric metrics_interval "
         "behavior scale_down_policy scale_up_policy sync_period scale_down_enabled", _AUTOSCALE, _AUTOSCALE_INSTEAD),
        ("auto_scale_on_cpu auto_scale_on_memory", "utilisation targets are set directly",
         "target_cpu_utilization(70) / target_memory_utilization(80)"),
        ("replicas", "a HorizontalPodAutoscaler sets the replica count between its bounds",
         "min_replicas(n) and max_replicas(n)"),
        ("vertical_pod_autoscaler vpa_max_allowed_cpu vpa_max_allowed_memory vpa_min_allowed_cpu "
         "vpa_min_allowed_memory vpa_mode vpa_update_policy", "the VerticalPodAutoscaler is an add-on CRD pykro does "
         "not write", "the VPA project's VerticalPodAutoscaler resource, or resources(...) on the workload"),
        ("add_node_group cluster_autoscaler max_node_provision_time node_group node_group_labels node_group_taints "
         "scale_down_delay_after_add scale_down_unneeded_time", _NODES, _NODES_INSTEAD),
        ("anti_affinity spread_across_zones", "pod placement is the workload's setting",
         "the workload's affinity({...})"),
    ],
    "SecurityPolicy": [
        ("apparmor_profile apparmor_type selinux_level selinux_options selinux_role selinux_type selinux_user "
         "seccomp_type security_context volume_security_context volume_run_as_user volume_run_as_group "
         "required_capabilities", "not among pykro's SecurityPolicy settings",
         "seccomp_profile(...), run_as_user/group, volume_fs_group, drop/add_capabilities, or the workload's "
         "security_context({...})"),
        ("host_network host_pid host_ipc", "pykro does not make pods share the node's namespaces",
         "a pod without host namespaces (SecurityScanner flags them as critical)"),
        ("audit_enabled compliance_level compliance_standard enforcement_mode violation_action", _PSA, _PSA_INSTEAD),
        ("privileged_policy", "the privileged standard sets nothing: it is the absence of restrictions",
         "no call (or pod_security_standard('baseline'))"),
    ],
    "NetworkPolicy": [
        ("deny_egress_to_namespace deny_egress_to_pods deny_from_namespace deny_from_pods audit_mode "
         "log_denied_packets priority", _NP, _NP_INSTEAD),
        ("add_egress_rule add_ingress_rule egress_policy ingress_policy namespace_selector ports protocols "
         "database_ports http_ports metrics_ports allow_from_service_accounts allow_egress_to_external_services",
         "pykro's NetworkPolicy rules are made by its allow_* methods", _NP_INSTEAD),
        ("allow_internal_communication deny_external_access_except", "these are an AppGroup's settings",
         "AppGroup(...).configure_networking(allow_internal_communication=True, deny_external_access_except=[...])"),
    ],
    "PluginManager": [
        ("discover_plugins execute_hook execute_plugins load_plugin transform_resources validate_resources "
         "get_builders get_loaded_plugins get_output_formats get_plugin_metadata unload_plugin",
         _PLUGINS, _PLUGINS_INSTEAD),
    ],
    "TemplateManager": [
        ("add_template add_template_directory render_template add_function get_template list_templates "
         "render_string set_global_variable", _PLUGINS,
         "a Python function returning a configured builder, or a @composition with a spec"),
    ],
    "Deployment": [],  # creating one raises already
}  # fmt: skip


def install(namespace: Mapping[str, Any]) -> None:
    """Make each listed method of the classes in ``namespace`` raise "not supported" (a method a class already
    has is a mistake in the table: it would hide an implementation)."""
    for class_name, groups in NOT_SUPPORTED.items():
        cls = namespace[class_name]
        for names, why, instead in groups:
            for name in names.split():
                if hasattr(cls, name):
                    raise RuntimeError(f"not_supported lists {class_name}.{name}, which exists")
                setattr(cls, name, unsupported(name, why, instead))
