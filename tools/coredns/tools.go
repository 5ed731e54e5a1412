//go:build tools

// Package tools records the CoreDNS command the local cluster's node tier runs.
package tools

import _ "github.com/coredns/coredns"
