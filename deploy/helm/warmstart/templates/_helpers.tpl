{{/* Names are fixed (warmstart-<component>): the CRDs, ClusterRoles, the admission
policy and the provisioner's Lease make warmstart one install per cluster. */}}

{{- define "warmstart.name" -}}warmstart-{{ . }}{{- end -}}

{{- define "warmstart.selectorLabels" -}}
app.kubernetes.io/name: {{ include "warmstart.name" .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "warmstart.labels" -}}
{{ include "warmstart.selectorLabels" . }}
app.kubernetes.io/part-of: warmstart
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ .root.Chart.Name }}-{{ .root.Chart.Version }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* metadata for a namespaced object: name, namespace, labels */}}
{{- define "warmstart.metadata" -}}
name: {{ include "warmstart.name" .component }}
namespace: {{ .root.Release.Namespace }}
labels:
  {{- include "warmstart.labels" . | nindent 2 }}
{{- end -}}

{{/* metadata for a cluster-scoped object */}}
{{- define "warmstart.clusterMetadata" -}}
name: {{ include "warmstart.name" .component }}
labels:
  {{- include "warmstart.labels" . | nindent 2 }}
{{- end -}}

{{- define "warmstart.image" -}}
{{- $img := .Values.image -}}
{{- if $img.digest -}}
{{ $img.repository }}@{{ $img.digest }}
{{- else -}}
{{ $img.repository }}:{{ $img.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* Every container: no privilege escalation, read-only root, no capabilities. */}}
{{- define "warmstart.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
{{- end -}}

{{- define "warmstart.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Pod-level settings shared by the Deployments: placement and pull secrets. */}}
{{- define "warmstart.placement" -}}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The provisioner settings' backend name for the chart's backend value. */}}
{{- define "warmstart.settingsBackend" -}}
{{- if eq .Values.backend "placeholder-pods" -}}placeholder{{- else -}}{{ .Values.backend }}{{- end -}}
{{- end -}}

{{/* The extender's URL as kube-scheduler reaches it. */}}
{{- define "warmstart.extenderURL" -}}
{{ if .Values.extender.tls.enabled }}https{{ else }}http{{ end }}://{{ include "warmstart.name" "extender" }}.{{ .Release.Namespace }}.svc:{{ .Values.extender.port }}
{{- end -}}

{{/* Prometheus Operator CRDs served here? */}}
{{- define "warmstart.monitoring" -}}
{{- if and .Values.monitoring.enabled (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor") -}}true{{- end -}}
{{- end -}}

{{/* The provisioner's settings file: the values' settings plus what the chart decides. */}}
{{- define "warmstart.provisionerSettings" -}}
{{- $fixed := dict "backend" (include "warmstart.settingsBackend" .) "namespace" .Release.Namespace "leaseName" (include "warmstart.name" "provisioner") "shadow" .Values.provisioner.shadow -}}
{{- toYaml (merge $fixed (deepCopy .Values.provisioner.settings)) -}}
{{- end -}}
