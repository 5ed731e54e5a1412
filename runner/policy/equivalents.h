// Commands that do what a list entry names under another spelling. A block or deny
// entry names one spelling of an action; an agent told "no" tries the next one:
// `find / -delete` and `rsync --delete empty/ /` delete like `rm -r -f /`, `unlink F`
// is `rm F`; `podman` and `nerdctl` are `docker`, `oc` and `kubecolor` are `kubectl`,
// `pnpm publish` is `npm publish`, `mke2fs -t ext4` is `mkfs.ext4`; `cat F` reads like
// `dd if=F`, `cp S D` copies like `dd if=S of=D`; `wget H`, `ssh H`, `nc H 80` reach H
// like `curl H`. Each rule turns a command (or an entry) into the other spelling; the
// lists compare every form of an entry with every form of a command (forms_of, could_match).
//
// A rule that renames the same tool (podman is docker) also matches an entry that names
// the program alone ("docker" denies podman); a rule that only does the same action (cat
// reads like dd) matches entries that name words after the program ("dd if=/dev/zero"
// blocks `cat /dev/zero`; "dd" alone does not deny every cat).
//
// Rules are data with examples (a command and an entry it must match through the rule),
// checked when the policy is first used, like the program table's (program_table.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/normalize.h"

namespace droid::runner::policy {

struct Form {
  Normalized normalized;
  bool same_program = true;  // another name of the same tool: matches entries naming the program alone
};

// The forms the lists compare for a command's words: `primary` (its canonical form) first,
// then each equivalent spelling's canonical form. `input_file`: the file its input is
// redirected from (`tee /dev/sda < /dev/zero` copies like `dd if=/dev/zero of=/dev/sda`).
std::vector<Form> forms_of(const std::vector<Arg>& argv, const Normalized& primary, const Arg& input_file = Arg{});

// Whether a block or deny entry (its forms) could match a command (its forms).
bool could_match(const std::vector<Form>& entry, const std::vector<Form>& command);

// Whether `program` opens network connections to the hosts its operands name (curl, wget,
// ssh, nc, git...): an entry naming one with host operands names hosts, also looked for
// in program text.
bool is_network_client(std::string_view program);

// Every rule's examples through forms_of and could_match: the failures, as messages.
std::vector<std::string> check_equivalence_examples();

}  // namespace droid::runner::policy
