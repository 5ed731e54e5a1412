{{/* Common labels of every object of the release. */}}
{{- define "droid-operator.labels" -}}
app.kubernetes.io/name: droid-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
