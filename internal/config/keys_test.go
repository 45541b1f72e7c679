package config

import (
	"bufio"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// tsvKey is one row of testdata/vsftpd-keys.tsv, the reference list of every key vsftpd 3.0 accepts.
type tsvKey struct{ name, typ, def string }

func readTSV(t *testing.T) []tsvKey {
	t.Helper()
	f, err := os.Open("testdata/vsftpd-keys.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var keys []tsvKey
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 3 {
			t.Fatalf("short row %q", sc.Text())
		}
		def := cols[2]
		if def == "(none)" {
			def = ""
		} else if i := strings.Index(def, " ("); i > 0 { // "NO (assumed; ...)"
			def = def[:i]
		}
		keys = append(keys, tsvKey{cols[0], cols[1], def})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestEveryVsftpdKeyIsInTheTable(t *testing.T) {
	for _, r := range readTSV(t) {
		k, ok := Lookup(r.name)
		if !ok {
			t.Errorf("%s: missing from the key table", r.name)
			continue
		}
		if byName[r.name].wharf {
			t.Errorf("%s: a vsftpd key is listed among Wharf's own", r.name)
		}
		want := map[string][]Type{"bool": {TypeBool}, "uint": {TypeInt, TypeOctal, TypeSeconds},
			"string": {TypeString}}[r.typ]
		if !slices.Contains(want, k.Type) {
			t.Errorf("%s: type %s, vsftpd's is %s", r.name, k.Type, r.typ)
		}
		vsftpdDef, err := parseValue(k.Type, r.def)
		if err != nil {
			t.Errorf("%s: vsftpd's default %q: %v", r.name, r.def, err)
			continue
		}
		diverged, isDivergence := divergences[r.name]
		switch {
		case isDivergence && diverged != render(k.Type, vsftpdDef):
			t.Errorf("%s: divergences says vsftpd's default is %s, the reference says %s", r.name, diverged, r.def)
		case !isDivergence && vsftpdDef != byName[r.name].def:
			t.Errorf("%s: default %q, vsftpd's is %q (list it in divergences if that is meant)",
				r.name, k.Default, r.def)
		}
	}
}

func TestTableEntries(t *testing.T) {
	for _, k := range Keys() {
		info := byName[k.Name]
		if got := render(k.Type, info.def); got != k.Default {
			t.Errorf("%s: default written %q, canonically %q", k.Name, k.Default, got)
		}
		if k.Doc == "" {
			t.Errorf("%s: no doc", k.Name)
		}
		switch k.Status {
		case Implemented:
			if k.Reason != "" {
				t.Errorf("%s: an implemented key has a reason", k.Name)
			}
		default:
			if k.Reason == "" {
				t.Errorf("%s: %s without a reason", k.Name, k.Status)
			}
		}
		if strings.ContainsAny(k.Name+k.Doc+k.Reason, "\n|") {
			t.Errorf("%s: newline or '|' in the table text", k.Name)
		}
	}
	for name := range divergences {
		if k, ok := Lookup(name); !ok || k.Status != Implemented {
			t.Errorf("divergence %s is not an implemented key", name)
		}
	}
	if ks := Keys(); !sort.SliceIsSorted(ks, func(i, j int) bool { return ks[i].Name < ks[j].Name }) {
		t.Error("Keys() is not sorted")
	}
}

// The keys the FTP core implements, and Wharf's own: the daemon reads these.
var implementedKeys = strings.Fields(`listen listen_ipv6 listen_port listen_address listen_address6 ftp_data_port
	connect_from_port_20 port_enable pasv_enable pasv_min_port pasv_max_port pasv_address pasv_addr_resolve
	pasv_promiscuous port_promiscuous accept_timeout connect_timeout data_connection_timeout idle_session_timeout
	ascii_upload_enable ascii_download_enable local_enable write_enable download_enable dirlist_enable
	anonymous_enable anon_root anon_upload_enable anon_mkdir_write_enable anon_other_write_enable no_anon_password
	ftp_username local_umask anon_umask file_open_mode hide_ids delete_failed_uploads ftpd_banner max_clients
	max_per_ip force_dot_files ls_recurse_enable use_localtime xferlog_enable log_ftp_protocol
	xferlog_std_format xferlog_file vsftpd_log_file dual_log_enable syslog_enable text_userdb_names
	tilde_user_enable download_file upload_file
	users_file login_timeout command_line_timeout max_command_line state_dir log_format log_level
	ssl_enable implicit_ssl implicit_ssl_port allow_anon_ssl force_local_logins_ssl force_local_data_ssl
	force_anon_logins_ssl force_anon_data_ssl rsa_cert_file rsa_private_key_file ca_certs_file ssl_ciphers
	ssl_tlsv1 ssl_tlsv1_1 ssl_tlsv1_2 ssl_tlsv1_3 require_ssl_reuse ssl_request_cert require_cert validate_cert
	strict_ssl_read_eof debug_ssl ssl_sni_hostname
	user_config_dir anon_world_readable_only deny_email_enable banned_email_file secure_email_list_enable
	email_password_file banner_file dirmessage_enable message_file hide_file deny_file cmds_allowed cmds_denied
	sftp_enable sftp_listen_port sftp_listen_address sftp_host_key_files sftp_max_channels sftp_kex sftp_ciphers
	sftp_macs sftp_host_key_algorithms
	chroot_local_user chroot_list_enable chroot_list_file passwd_chroot_enable local_root user_sub_token check_shell
	userlist_enable userlist_deny userlist_file guest_enable guest_username virtual_use_local_privs chown_uploads
	chown_username chown_upload_mode pam_service_name splice_uploads
	chmod_enable mdtm_write delay_failed_login delay_successful_login max_login_fails
	anon_max_rate local_max_rate`)

func TestImplementedKeys(t *testing.T) {
	want := map[string]bool{}
	for _, name := range implementedKeys {
		want[name] = true
	}
	for _, k := range Keys() {
		if got := k.Status == Implemented; got != want[k.Name] {
			t.Errorf("%s: implemented=%v, want %v", k.Name, got, want[k.Name])
		}
	}
	for name, status := range map[string]Status{"async_abor_enable": NotNeeded, "background": NotNeeded,
		"seccomp_sandbox": NotNeeded, "tcp_wrappers": Refused, "dsa_cert_file": Refused,
		"session_support": Refused} {
		if k, _ := Lookup(name); k.Status != status {
			t.Errorf("%s: %s, want %s", name, k.Status, status)
		}
	}
}

func TestKeyCounts(t *testing.T) {
	counts := map[Status]int{}
	for _, k := range Keys() {
		if !byName[k.Name].wharf {
			counts[k.Status]++
		}
	}
	t.Logf("vsftpd keys: %d implemented, %d not needed, %d refused; plus %d of Wharf's own",
		counts[Implemented], counts[NotNeeded], counts[Refused], len(wharfKeys))
	if total := len(Keys()) - len(wharfKeys); total != len(readTSV(t)) {
		t.Errorf("%d vsftpd keys in the table, %d in the reference", total, len(readTSV(t)))
	}
}

func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{
		"listen_prot":       "listen_port",
		"anonymous_enabled": "anonymous_enable",
		"LISTEN":            "listen",
		"pasv_min_ports":    "pasv_min_port",
		"xferlog_enabel":    "xferlog_enable",
		"frobnicate":        "",
		"":                  "",
	} {
		if got := suggest(in); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
