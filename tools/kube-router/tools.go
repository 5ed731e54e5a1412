//go:build tools

// Package tools records the kube-router command the node tier runs as its
// NetworkPolicy controller (scripts/cluster/components/kube-router.sh).
package tools

import _ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
