package config

import (
	"fmt"
	"strings"
)

// KeysMarkdown renders the key reference that README.md carries between its BEGIN KEYS and END KEYS markers:
// the dialect in brief, then one table per status. `go run ./internal/config/genkeys` writes it there, and a
// test fails when the README is out of date.
func KeysMarkdown() string {
	var b strings.Builder
	b.WriteString("<!-- Generated from internal/config/keys.go by `go run ./internal/config/genkeys`: " +
		"edit the table there, not here. -->\n\n")
	b.WriteString("Wharf reads vsftpd's configuration dialect: one `key=value` per line, split at the first " +
		"`=`, with no blanks around it; `#` starts a comment line; booleans are `YES`/`NO` (also `TRUE`/`FALSE`/" +
		"`1`/`0`); a number with a leading `0` is octal (`local_umask=022`); the last setting of a key wins; " +
		"`-o key=value` on the command line overrides the file. Keys Wharf adds are marked *(Wharf)*.\n")
	sections := []struct {
		status        Status
		title, intro  string
		reasonHeading string
	}{
		{Implemented, "Implemented", "These keys take effect.", ""},
		{NotNeeded, "Accepted, not needed", "Accepted with any valid value; they change nothing in Wharf, " +
			"which does what the last column says instead.", "What Wharf does instead"},
		{Refused, "Refused", "Accepted only when set to their default; any other value is an error that names " +
			"the line.", "Why, and what to use instead"},
	}
	for _, s := range sections {
		writeSection(&b, s.status, s.title, s.intro, s.reasonHeading)
	}
	return b.String()
}

func writeSection(b *strings.Builder, status Status, title, intro, reasonHeading string) {
	var keys []Key
	for _, k := range sorted {
		if k.Status == status {
			keys = append(keys, k)
		}
	}
	fmt.Fprintf(b, "\n### %s (%d keys)\n\n%s\n\n", title, len(keys), intro)
	if reasonHeading == "" {
		b.WriteString("| Key | Type | Default | Meaning |\n|---|---|---|---|\n")
	} else {
		fmt.Fprintf(b, "| Key | Type | Default | Meaning | %s |\n|---|---|---|---|---|\n", reasonHeading)
	}
	for _, k := range keys {
		name := "`" + k.Name + "`"
		if byName[k.Name].wharf {
			name += " *(Wharf)*"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |", name, k.Type, mdDefault(k), cell(k.Doc))
		if reasonHeading != "" {
			fmt.Fprintf(b, " %s |", cell(k.Reason))
		}
		b.WriteString("\n")
	}
}

// mdDefault renders a default for the tables, noting where vsftpd's differs.
func mdDefault(k Key) string {
	d := "(none)"
	if k.Default != "" {
		d = "`" + k.Default + "`"
	}
	if v, ok := divergences[k.Name]; ok {
		d += " (vsftpd: `" + v + "`)"
	}
	return d
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
