//go:build ignore

// Copied into the utils package of the case dumper (see main.go): what every
// Validate and ValidateWithPaths call was given.
package utils

type Case struct {
	Rule, Kind, Text, Path string
}

var Recorded []Case

func record(rule string, tps, fps []string) {
	for _, t := range tps {
		Recorded = append(Recorded, Case{rule, "tp", t, ""})
	}
	for _, t := range fps {
		Recorded = append(Recorded, Case{rule, "fp", t, ""})
	}
}

func recordPaths(rule string, tps, fps map[string]string) {
	for p, t := range tps {
		Recorded = append(Recorded, Case{rule, "tp", t, p})
	}
	for p, t := range fps {
		Recorded = append(Recorded, Case{rule, "fp", t, p})
	}
}
