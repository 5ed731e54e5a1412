// Command coredns is the CoreDNS of the local cluster's node tier
// (scripts/cluster/coredns.sh), built with only the plugins its Corefile and
// the usual kubeadm Corefile use, instead of upstream's command with all of
// them (cloud SDKs and all: about 1,400 packages to compile).
//
// A plugin registers itself when its package is imported; dnsserver.Directives
// lists the directives a Corefile may use, in the order their handlers run.
// That order must stay the relative order of upstream's list (plugin.cfg, in
// core/dnsserver/zdirectives.go of the pinned release). To add a plugin,
// import it and put its name in directives at the place upstream's list has it.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/whoami"
)

// directives is the subset of upstream's directive list this command has, in
// upstream's order: the plugins imported above and those they import
// themselves (metadata, debug, dnstap, transfer), so that every plugin
// `coredns -plugins` lists can be used. whoami and log make the Corefile
// CoreDNS uses when it has none (".:53 { whoami log }").
var directives = []string{
	"metadata",
	"reload",
	"bind",
	"debug",
	"ready",
	"health",
	"prometheus",
	"errors",
	"log",
	"dnstap",
	"loadbalance",
	"cache",
	"transfer",
	"kubernetes",
	"loop",
	"forward",
	"whoami",
}

func main() {
	dnsserver.Directives = directives
	coremain.Run()
}
