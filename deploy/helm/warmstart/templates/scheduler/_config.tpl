{{/*
The KubeSchedulerConfiguration with the warmstart extender. `.mode` picks the
shape: second-scheduler (only the warmstart profile, in-cluster credentials,
its own Lease) or patch-default (the default profile and the warmstart one, for
the cluster's own kube-scheduler on a control-plane node).

Extenders are global in a KubeSchedulerConfiguration: every pod that requests a
managed resource is sent to the extender, whichever profile schedules it.
*/}}
{{- define "warmstart.schedulerConfig" -}}
{{- $root := .root -}}
{{- $v := $root.Values.scheduler -}}
{{- $e := $root.Values.extender -}}
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
{{- if eq .mode "second-scheduler" }}
leaderElection:
  leaderElect: true
  resourceName: {{ include "warmstart.name" "scheduler" }}
  resourceNamespace: {{ $root.Release.Namespace }}
{{- else }}
clientConnection:
  kubeconfig: /etc/kubernetes/scheduler.conf
{{- end }}
profiles:
  {{- if ne .mode "second-scheduler" }}
  - schedulerName: default-scheduler
  {{- end }}
  # Scores every feasible node: by default kube-scheduler stops after ~10% of a
  # large cluster, and the nodes holding the model may never be offered.
  - schedulerName: {{ $v.schedulerName }}
    percentageOfNodesToScore: 100
extenders:
  - urlPrefix: {{ include "warmstart.extenderURL" $root | quote }}
    {{- if $e.filter }}
    filterVerb: filter
    {{- end }}
    prioritizeVerb: prioritize
    # Each point of the extender's 0..10 counts x10 against in-tree plugins
    # (0..100 x their weight): 5 lets "weights on local NVMe" outweigh spreading.
    weight: {{ $e.weight }}
    # kube-scheduler sends node names, not full Node objects; the extender keeps
    # its own index from watches.
    nodeCacheCapable: true
    # Well above the extender's own fail-open budget (100 ms).
    httpTimeout: {{ $v.httpTimeout }}
    # Never fail scheduling because the extender is down or slow.
    ignorable: true
    {{- if $e.tls.enabled }}
    enableHTTPS: true
    tlsConfig:
      caFile: {{ if eq .mode "second-scheduler" }}/etc/warmstart/extender-ca/ca.crt{{ else }}/etc/kubernetes/warmstart-extender-ca.crt{{ end }}
    {{- end }}
    managedResources:
      {{- range $v.managedResources }}
      - name: {{ . }}
        ignoredByScheduler: false
      {{- end }}
{{- end -}}
