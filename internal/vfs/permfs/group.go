package permfs

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// DefaultGroupFile is where GroupsOf reads when given no file.
const DefaultGroupFile = "/etc/group"

// maxGroupLine bounds one line of the group file. A group with thousands of
// members makes lines far longer than bufio's default 64 KiB.
const maxGroupLine = 16 << 20

// GroupsOf returns the gids a login of user gets, as initgroups(3) computes
// them from the group file: gid (the primary group, from the passwd entry)
// first, then every group that lists user as a member, each gid once.
// groupFile "" means DefaultGroupFile.
//
// Lines that are not "name:password:gid:members" with a decimal gid are
// skipped, as glibc's files backend skips them; so are NIS "+"/"-" lines,
// which only mean something to NSS compat mode. A user in no group gets
// just gid.
func GroupsOf(user string, gid uint32, groupFile string) ([]uint32, error) {
	if groupFile == "" {
		groupFile = DefaultGroupFile
	}
	f, err := os.Open(groupFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gids := []uint32{gid}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), maxGroupLine)
	for sc.Scan() {
		g, ok := memberGID(sc.Text(), user)
		if ok && !slices.Contains(gids, g) {
			gids = append(gids, g)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", groupFile, err)
	}
	return gids, nil
}

// memberGID parses one group line and returns its gid if user is listed as
// a member.
func memberGID(line, user string) (uint32, bool) {
	if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
		return 0, false
	}
	fields := strings.Split(strings.TrimRight(line, "\r"), ":")
	if len(fields) != 4 {
		return 0, false
	}
	gid, err := strconv.ParseUint(fields[2], 10, 32)
	if err != nil {
		return 0, false
	}
	for m := range strings.SplitSeq(fields[3], ",") {
		// glibc skips blanks around members; a stray one must not cost a
		// user their group.
		if strings.TrimSpace(m) == user && user != "" {
			return uint32(gid), true
		}
	}
	return 0, false
}
