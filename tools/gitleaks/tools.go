//go:build tools

// Package tools records the gitleaks command the shield benchmark builds.
package tools

import _ "github.com/zricethezav/gitleaks/v8"
