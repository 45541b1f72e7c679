package daemon

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// userDB maps numeric ids to names for text_userdb_names, from /etc/passwd
// and /etc/group. The files are parsed on first use and again when their
// modification time or size changed (checked at most once a second); the
// listing asks once per distinct id, so a large directory costs a map
// lookup per entry.
type userDB struct {
	passwd, group string

	mu       sync.Mutex
	checked  time.Time
	pStamp   fileStamp
	gStamp   fileStamp
	users    map[uint32]string
	groups   map[uint32]string
	interval time.Duration
}

type fileStamp struct {
	mod  time.Time
	size int64
}

func newUserDB(passwd, group string) *userDB {
	return &userDB{passwd: passwd, group: group, interval: time.Second}
}

// Names returns the names of uid and gid; "" for an id with no entry.
func (db *userDB) Names(uid, gid uint32) (string, string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if now := time.Now(); db.users == nil || now.Sub(db.checked) >= db.interval {
		db.checked = now
		db.users = refresh(db.passwd, &db.pStamp, db.users)
		db.groups = refresh(db.group, &db.gStamp, db.groups)
	}
	return db.users[uid], db.groups[gid]
}

// refresh re-reads path when its stamp changed; a file that cannot be read
// gives an empty map (numbers are shown).
func refresh(path string, stamp *fileStamp, cur map[uint32]string) map[uint32]string {
	fi, err := os.Stat(path)
	if err != nil {
		*stamp = fileStamp{}
		return map[uint32]string{}
	}
	st := fileStamp{fi.ModTime(), fi.Size()}
	if cur != nil && st == *stamp {
		return cur
	}
	*stamp = st
	return parseIDFile(path)
}

// parseIDFile reads name:x:id:... lines (passwd and group share the first
// three fields). The first entry of an id wins, as getpwuid(3) returns it.
func parseIDFile(path string) map[uint32]string {
	m := map[uint32]string{}
	f, err := os.Open(path)
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.SplitN(line, ":", 4)
		if len(fields) < 3 || fields[0] == "" {
			continue
		}
		id, err := strconv.ParseUint(fields[2], 10, 32)
		if err != nil {
			continue
		}
		if _, dup := m[uint32(id)]; !dup {
			m[uint32(id)] = fields[0]
		}
	}
	return m
}
