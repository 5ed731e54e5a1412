# The project's entry points. Everything real happens in CMake and scripts/;
# these targets only chain them. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup build test test-unit test-sanitize lint test-controlplane test-gateway test-node format \
        demo cluster-up cluster-down cluster-purge tools clean bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

setup: ## install Debian packages and build the pinned upstream tools (cached)
	scripts/setup.sh

tools: ## build only the pinned upstream tools (Kubernetes, etcd, Helm, OpenTelemetry Collector)
	scripts/build-tools.sh

build: setup ## build droid-operator, droid-runner and kubectl-droid
	cmake --preset default
	cmake --build --preset default

test: setup ## install what is missing, build, and run every test tier
	scripts/test.sh

test-unit: setup ## unit tests only
	scripts/test.sh unit

test-sanitize: setup ## unit tests under ASan and UBSan
	scripts/test.sh sanitize

lint: setup ## clang-format and clang-tidy
	scripts/test.sh lint

test-controlplane: setup ## tests against a real control plane
	scripts/test.sh controlplane

test-gateway: setup ## the runner through a real LiteLLM proxy (installed, pinned, into the tool cache)
	scripts/test.sh gateway

test-node: setup ## images, a cluster with its node tier, the in-cluster test bed and the tests with real pods (root)
	scripts/test.sh node

format: ## apply clang-format to every C++ file
	git ls-files '*.cc' '*.h' | xargs clang-format -i

demo: setup ## the main job, end to end on a local cluster
	scripts/demo.sh

bench: setup ## operator benchmark on its own clusters: latency, sessions/s, RSS; the node-tier figure (figures, not a test)
	scripts/bench.sh

.PHONY: policy-fuzz
VARIANTS ?= 20000
policy-fuzz: ## the command policy against real bash on many generated commands (root): prints each disagreement as a corpus line
	cmake --preset default >/dev/null
	cmake --build --preset default --target policy_fuzz
	build/default/runner/policy/policy_fuzz $(VARIANTS) $(SEED)

.PHONY: manifests
manifests: ## copy crds/ into the chart and render deploy/manifests from it (--check: scripts/render-manifests.sh --check)
	scripts/render-manifests.sh

.PHONY: images airgap-bundle
# The CMake build tree the images take their binaries from (make images IMAGES_BUILD_DIR=...).
IMAGES_BUILD_DIR ?= build/default
images: setup ## container images with buildah, offline (build/images/*.tar; needs root)
	scripts/images/build.sh $(IMAGES_BUILD_DIR)

airgap-bundle: setup ## one archive with the images, chart, CRDs and seccomp profile (build/droid-operator-airgap-*.tar.gz)
	scripts/images/airgap-bundle.sh $(IMAGES_BUILD_DIR)

cluster-up: setup ## start the local cluster: control plane + node tier where possible (DROID_NODE=0: control plane only); prints the admin kubeconfig
	scripts/build-tools.sh coredns kube-router
	scripts/cluster/up.sh

cluster-down: ## stop the local cluster, leaving nothing running
	scripts/cluster/down.sh

cluster-purge: ## stop the local cluster and delete its data and certificates
	scripts/cluster/down.sh --purge

clean: ## remove the build trees (not the tool cache)
	rm -rf build
