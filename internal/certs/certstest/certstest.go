// Package certstest makes a throw-away PKI for FTPS tests: a CA, a server
// certificate for 127.0.0.1, ::1 and localhost, a client certificate
// issued by the CA and a self-signed client certificate. It is test
// support: only tests import it.
package certstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Pair is a certificate with its key, in memory and as PEM files.
type Pair struct {
	TLS      tls.Certificate
	Cert     *x509.Certificate
	CertFile string // PEM certificate
	KeyFile  string // PEM private key (PKCS#8)
}

// PKI is a CA and the certificates it issued, written under Dir.
type PKI struct {
	Dir        string
	CA         Pair
	Pool       *x509.CertPool // the CA alone, for RootCAs and ClientCAs
	Server     Pair           // 127.0.0.1, ::1, localhost; issued by CA
	Client     Pair           // issued by CA, for client authentication
	SelfSigned Pair           // a client certificate no CA vouches for
}

// New writes a fresh PKI into dir. name prefixes the files and subjects,
// so that two PKIs (before and after a reload) differ.
func New(dir, name string) (*PKI, error) {
	p := &PKI{Dir: dir, Pool: x509.NewCertPool()}
	var err error
	if p.CA, err = issue(dir, name+"-ca", template(name+" test CA", true), nil); err != nil {
		return nil, err
	}
	p.Pool.AddCert(p.CA.Cert)
	srv := template(name+" server", false)
	srv.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	srv.DNSNames = []string{"localhost"}
	srv.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if p.Server, err = issue(dir, name+"-server", srv, &p.CA); err != nil {
		return nil, err
	}
	cli := template(name+" client", false)
	cli.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if p.Client, err = issue(dir, name+"-client", cli, &p.CA); err != nil {
		return nil, err
	}
	self := template(name+" self-signed client", false)
	self.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if p.SelfSigned, err = issue(dir, name+"-selfsigned", self, nil); err != nil {
		return nil, err
	}
	return p, nil
}

func template(cn string, ca bool) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	t := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"Wharf tests"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(48 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if ca {
		t.IsCA, t.BasicConstraintsValid = true, true
		t.KeyUsage |= x509.KeyUsageCertSign
	}
	return t
}

// issue creates a P-256 key and a certificate for tmpl signed by parent
// (self-signed when parent is nil), and writes NAME.pem and NAME-key.pem.
func issue(dir, name string, tmpl *x509.Certificate, parent *Pair) (Pair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Pair{}, err
	}
	signer, signCert := any(key), tmpl
	if parent != nil {
		signer, signCert = parent.TLS.PrivateKey, parent.Cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signCert, &key.PublicKey, signer)
	if err != nil {
		return Pair{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return Pair{}, err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Pair{}, err
	}
	p := Pair{
		TLS:      tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert},
		Cert:     cert,
		CertFile: filepath.Join(dir, name+".pem"),
		KeyFile:  filepath.Join(dir, name+"-key.pem"),
	}
	if err := os.WriteFile(p.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return Pair{}, err
	}
	if err := os.WriteFile(p.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return Pair{}, err
	}
	return p, nil
}
