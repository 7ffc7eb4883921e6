{{/* The release's name is the prefix of every object: redis, redis-sentinel. */}}
{{- define "ri.name" -}}
{{- .Values.fullnameOverride | default .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "ri.labels" -}}
app.kubernetes.io/name: redis-init
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The pod's stable DNS name, in its own namespace: NAME-0.NAME.ns.svc.domain */}}
{{- define "ri.fqdn" -}}
$(POD_NAME).{{ .svc }}.$(POD_NAMESPACE).svc.{{ .root.Values.clusterDomain }}
{{- end -}}

{{/* The password the chart's Secret holds: auth.password less one trailing
LF or CR LF (a file given with --set-file ends with one). */}}
{{- define "ri.password" -}}
{{- .Values.auth.password | trimSuffix "\n" | trimSuffix "\r" -}}
{{- end -}}

{{- define "ri.secret" -}}
{{- if .Values.auth.password -}}{{ include "ri.name" . }}-auth{{- else -}}{{ .Values.auth.existingSecret }}{{- end -}}
{{- end -}}

{{/* Every invalid value, named with what was expected, in one error. */}}
{{- define "ri.checks" -}}
{{- $v := .Values -}}
{{- $e := list -}}
{{- if and $v.auth.enabled (not $v.auth.password) (not $v.auth.existingSecret) -}}
{{- $e = append $e "auth: set auth.existingSecret (a Secret that holds the password) or auth.password" -}}
{{- end -}}
{{- if not (kindIs "string" $v.auth.password) -}}
{{- $e = append $e "auth.password: not a string: quote it in the values file, or use --set-string or --set-file" -}}
{{- else if $v.auth.password -}}
{{- /* as redis-init reads a secret file: one trailing LF (or CR LF) goes */ -}}
{{- $t := include "ri.password" . -}}
{{- if regexMatch "[\x00-\x1f\x7f]" $t -}}
{{- $e = append $e "auth.password: control characters (CR, LF, tab, NUL...) are refused: expected 1 to 512 printable characters" -}}
{{- else if or (not $t) (gt (len $t) 512) -}}
{{- $e = append $e "auth.password: expected 1 to 512 printable characters" -}}
{{- end -}}
{{- end -}}
{{- if not (kindIs "string" $v.image.tag) -}}
{{- $e = append $e (printf "image.tag %v: not a string: quote it (YAML reads 7.0 as the number 7)" $v.image.tag) -}}
{{- end -}}
{{- if not (has (toString $v.image.pullPolicy) (list "" "Always" "IfNotPresent" "Never")) -}}
{{- $e = append $e (printf "image.pullPolicy %q: expected Always, IfNotPresent, Never or empty" (toString $v.image.pullPolicy)) -}}
{{- end -}}
{{- if lt (int $v.stopTimeout) 1 -}}
{{- $e = append $e (printf "stopTimeout %v: expected seconds, 1 or more" $v.stopTimeout) -}}
{{- end -}}
{{- if $v.cluster.enabled -}}
{{- $min := mul 3 (add1 (int $v.cluster.replicas)) -}}
{{- if lt (int $v.cluster.replicas) 0 -}}
{{- $e = append $e (printf "cluster.replicas %v: expected 0 or more" $v.cluster.replicas) -}}
{{- end -}}
{{- if lt (int $v.cluster.nodes) (int $min) -}}
{{- $e = append $e (printf "cluster.nodes %v: too few for cluster.replicas %v: expected at least %d (3 masters x (1 + replicas))" $v.cluster.nodes $v.cluster.replicas $min) -}}
{{- end -}}
{{- else -}}
{{- if lt (int $v.replicas) 1 -}}
{{- $e = append $e (printf "replicas %v: expected 1 or more" $v.replicas) -}}
{{- end -}}
{{- if or (lt (int $v.sentinel.quorum) 1) (gt (int $v.sentinel.quorum) (int $v.sentinel.replicas)) -}}
{{- $e = append $e (printf "sentinel.quorum %v: expected 1 to sentinel.replicas (%v)" $v.sentinel.quorum $v.sentinel.replicas) -}}
{{- end -}}
{{- end -}}
{{- if $e -}}
{{- fail (printf "invalid values:\n  %s" (join "\n  " $e)) -}}
{{- end -}}
{{- end -}}

{{/* Pod spec parts shared by every StatefulSet. Arguments: root, component. */}}
{{- define "ri.podSpecCommon" -}}
{{- $v := .root.Values -}}
terminationGracePeriodSeconds: {{ add (int $v.stopTimeout) 3 }}
{{- with $v.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
affinity:
{{- if $v.affinity }}
  {{- toYaml $v.affinity | nindent 2 }}
{{- else }}
  podAntiAffinity:
  {{- if and $v.hardAntiAffinity (eq .component "sentinel") }}
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels: {{- include "ri.labels" . | nindent 12 }}
  {{- else }}
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels: {{- include "ri.labels" . | nindent 14 }}
  {{- end }}
{{- end }}
{{- if or $v.auth.enabled (not $v.persistentVolume.enabled) }}
volumes:
{{- if $v.auth.enabled }}
  - name: password
    secret:
      secretName: {{ include "ri.secret" .root }}
      defaultMode: 0400
      items: [{key: {{ $v.auth.existingSecretPasswordKey | default "password" }}, path: password}]
{{- end }}
{{- if not $v.persistentVolume.enabled }}
  - name: data
    emptyDir: {}
{{- end }}
{{- end }}
{{- end -}}

{{/* Container parts shared by every StatefulSet. */}}
{{- define "ri.image" -}}
image: {{ printf "%s:%s" .Values.image.repository (toString .Values.image.tag) | quote }}
{{- with .Values.image.pullPolicy }}
imagePullPolicy: {{ . }}
{{- end }}
{{- end -}}

{{- define "ri.envCommon" -}}
- name: POD_NAME
  valueFrom: {fieldRef: {fieldPath: metadata.name}}
- name: POD_NAMESPACE
  valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
{{- if .Values.auth.enabled }}
- {name: REDIS_PASSWORD_FILE, value: /run/secrets/redis/password}
{{- end }}
- {name: STOP_TIMEOUT, value: {{ .Values.stopTimeout | quote }}}
{{- end -}}

{{- define "ri.mounts" -}}
volumeMounts:
  - {name: data, mountPath: /data}
{{- if .Values.auth.enabled }}
  - {name: password, mountPath: /run/secrets/redis, readOnly: true}
{{- end }}
{{- end -}}

{{/* Arguments: root, size. */}}
{{- define "ri.claims" -}}
{{- $p := .root.Values.persistentVolume -}}
{{- if $p.enabled -}}
volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: {{ toJson $p.accessModes }}
      {{- if $p.storageClass }}
      storageClassName: {{ if eq $p.storageClass "-" }}""{{ else }}{{ $p.storageClass | quote }}{{ end }}
      {{- end }}
      resources:
        requests: {storage: {{ .size }}}
{{- end -}}
{{- end -}}
