//go:build tools

// Package tools records the OpenTelemetry Collector builder (ocb) that
// generates the test bed's collector distribution (tools/otelcol/builder.yaml).
package tools

import _ "go.opentelemetry.io/collector/cmd/builder"
