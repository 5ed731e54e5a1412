//go:build ignore

// Dumps the test cases of gitleaks' rule definitions (cmd/generate/config/rules:
// the true positives `tps` and false positives `fps` each rule validates) as
// "RULE<TAB>TEXT" lines. Not built in place: runner/shield/bench/gitleaks-cases.sh
// copies it next to a copy of the pinned module's rules, whose utils.Validate
// records what it is given, and generates rule_list.go (every rule of upstream
// main.go). Cases a rule checks against a file path are dumped with the path
// appended as "\tpath=PATH".
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"

	"casegen/utils"
)

// escape writes a case as one line: \\, \n, \r, \t and a leading # escaped.
func escape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	out := r.Replace(s)
	if strings.HasPrefix(out, "#") {
		out = `\` + out
	}
	return out
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: main TPS.tsv FPS.tsv")
		os.Exit(2)
	}
	for _, rule := range allRules {
		rule()
	}
	cases := utils.Recorded
	sort.SliceStable(cases, func(i, j int) bool {
		if cases[i].Rule != cases[j].Rule {
			return cases[i].Rule < cases[j].Rule
		}
		return cases[i].Text < cases[j].Text
	})
	for i, name := range os.Args[1:] {
		kind := []string{"tp", "fp"}[i]
		f, err := os.Create(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		w := bufio.NewWriter(f)
		fmt.Fprintf(w, "# RULE<TAB>TEXT: every %s test case of gitleaks' rule definitions (cmd/generate/config/rules),\n", kind)
		fmt.Fprintln(w, "# dumped by runner/shield/bench/gitleaks-cases.sh. Escapes: \\n \\r \\t \\\\ and a leading \\#.")
		seen := map[string]bool{}
		for _, c := range cases {
			if c.Kind != kind {
				continue
			}
			line := c.Rule + "\t" + escape(c.Text)
			if c.Path != "" {
				line += "\tpath=" + escape(c.Path)
			}
			if seen[line] {
				continue
			}
			seen[line] = true
			fmt.Fprintln(w, line)
		}
		if err := w.Flush(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		f.Close()
	}
}
