package auth

// PreAuthChecker decides whether a user name may log in at all, before any
// password is asked: vsftpd's userlist_enable refuses a listed name at USER
// time with "530 Permission denied." and never sends 331. Fronts call it when
// the name arrives (FTP USER, the SSH user name) and answer a non-nil error
// without asking for a password; the error wraps ErrDenied.
type PreAuthChecker interface {
	CheckUser(name string) error
}

// PreAuthCheckers runs several checkers in order; the first refusal wins.
type PreAuthCheckers []PreAuthChecker

// CheckUser implements PreAuthChecker.
func (cs PreAuthCheckers) CheckUser(name string) error {
	for _, c := range cs {
		if err := c.CheckUser(name); err != nil {
			return err
		}
	}
	return nil
}
