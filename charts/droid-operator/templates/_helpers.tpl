{{/* Common labels of every object of the release. */}}
{{- define "droid-operator.labels" -}}
app.kubernetes.io/name: droid-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | quote }}
{{- end -}}

{{/* The labels that select the operator's pods (Deployment, Services, PDB, NetworkPolicy). */}}
{{- define "droid-operator.selectorLabels" -}}
app.kubernetes.io/name: droid-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{/*
An image reference from {registry, repository, tag, digest}: the registry is
global.imageRegistry when set (an air-gapped mirror for every image), else the
image's own; the tag defaults to the chart's appVersion; a digest wins over the tag.
Call with (dict "image" .Values.image "root" $).
*/}}
{{- define "droid-operator.image" -}}
{{- $registry := .image.registry -}}
{{- with .root.Values.global -}}{{- if .imageRegistry -}}{{- $registry = .imageRegistry -}}{{- end -}}{{- end -}}
{{- $name := .image.repository -}}
{{- if $registry -}}{{- $name = printf "%s/%s" (trimSuffix "/" $registry) .image.repository -}}{{- end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $name .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $name (default .root.Chart.AppVersion .image.tag | toString) -}}
{{- end -}}
{{- end -}}

{{/* Names of the release's objects. */}}
{{- define "droid-operator.webhookServiceName" -}}{{ .Release.Name }}-webhook{{- end -}}
{{- define "droid-operator.metricsServiceName" -}}{{ .Release.Name }}-metrics{{- end -}}
{{- define "droid-operator.webhookSecretName" -}}
{{- default (printf "%s-webhook-tls" .Release.Name) .Values.webhook.certificate.secretName -}}
{{- end -}}
{{- define "droid-operator.certificateName" -}}{{ .Release.Name }}-webhook{{- end -}}
{{- define "droid-operator.defaultOrgPolicyName" -}}
{{- default (printf "%s-default" .Release.Name) .Values.defaultOrgPolicy.name -}}
{{- end -}}

{{/* How the webhook's serving certificate is made: certManager, generate or external. */}}
{{- define "droid-operator.certSource" -}}
{{- if .Values.webhook.certManager.enabled -}}certManager
{{- else if .Values.webhook.certificate.generate -}}generate
{{- else -}}external
{{- end -}}
{{- end -}}

{{/* The egress gateway's pods (its Deployment, Service, PDB, NetworkPolicy). The
operator's per-session NetworkPolicies select app.kubernetes.io/name=droid-egress. */}}
{{- define "droid-operator.egressSelectorLabels" -}}
app.kubernetes.io/name: droid-egress
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: egress-gateway
{{- end -}}
{{- define "droid-operator.egressLabels" -}}
{{ include "droid-operator.egressSelectorLabels" . }}
app.kubernetes.io/part-of: droid-operator
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | quote }}
{{- end -}}
{{/* HOST:PORT of the gateway's Service, for --egress-gateway. */}}
{{- define "droid-operator.egressServiceAddress" -}}
{{ .Values.egress.name }}.{{ .Release.Namespace }}.svc:{{ .Values.egress.ports.proxy }}
{{- end -}}
