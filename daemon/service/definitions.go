package service

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"unicode/utf16"
)

const description = "tactful daemon: notes and a removal reminder for your LinkedIn connections"

// SystemdUnit is the systemd user unit: started with the user's session
// (default.target), restarted 5 seconds after it fails.
func SystemdUnit(c Config) ([]byte, error) {
	if err := c.validate("linux"); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	words := append([]string{c.Binary}, c.Args()...)
	for i, w := range words {
		words[i] = systemdQuote(w)
	}
	fmt.Fprintf(&b, `# Written by "tactful service install"; "tactful service uninstall" removes it.
[Unit]
Description=%s
Documentation=https://github.com/tactful/tactful#readme

[Service]
Type=exec
ExecStart=%s
Restart=on-failure
RestartSec=5s
# The database and the pairing code are the person's alone.
UMask=0077

[Install]
WantedBy=default.target
`, description, strings.Join(words, " "))
	return b.Bytes(), nil
}

// systemdQuote quotes one ExecStart word: systemd expands % specifiers and $
// variables and splits on white space unless quoted.
func systemdQuote(s string) string {
	s = strings.NewReplacer("%", "%%", "$", "$$").Replace(s)
	if s != "" && !strings.ContainsAny(s, " \t\"'\\;") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// LaunchdPlist is the launchd agent: loaded at login (RunAtLoad), started
// again whenever it exits unsuccessfully (KeepAlive SuccessfulExit false).
func LaunchdPlist(c Config) ([]byte, error) {
	if err := c.validate("darwin"); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by "tactful service install"; "tactful service uninstall" removes it. -->
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + LaunchdLabel + `</string>
	<key>ProgramArguments</key>
	<array>
`)
	for _, w := range append([]string{c.Binary}, c.Args()...) {
		b.WriteString("\t\t<string>" + xmlText(w) + "</string>\n")
	}
	b.WriteString(`	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>KeepAlive</key>
	<dict>
		<key>SuccessfulExit</key>
		<false/>
	</dict>
	<key>Umask</key>
	<integer>63</integer>
`)
	if c.LogFile != "" {
		b.WriteString("\t<key>StandardOutPath</key>\n\t<string>" + xmlText(c.LogFile) + "</string>\n")
		b.WriteString("\t<key>StandardErrorPath</key>\n\t<string>" + xmlText(c.LogFile) + "</string>\n")
	}
	b.WriteString("</dict>\n</plist>\n")
	return b.Bytes(), nil
}

// WindowsTask is the Task Scheduler definition: it runs at the user's logon,
// and every 5 minutes after, which starts the daemon again if it stopped (a
// running instance makes the repetition a no-op: MultipleInstancesPolicy
// IgnoreNew). Task Scheduler's own RestartOnFailure covers a launch that
// fails. The text is UTF-8 here; EncodeUTF16 gives schtasks its encoding.
func WindowsTask(c Config) ([]byte, error) {
	if err := c.validate("windows"); err != nil {
		return nil, err
	}
	if c.User == "" {
		return nil, fmt.Errorf("%w: no Windows user for the logon task", ErrInvalid)
	}
	args := c.Args()
	for i, a := range args {
		args[i] = windowsQuote(a)
	}
	user := xmlText(c.User)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-16"?>
<!-- Written by "tactful service install"; "tactful service uninstall" removes it. -->
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>%s</Description>
    <URI>\%s</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <Repetition>
        <Interval>PT5M</Interval>
        <StopAtDurationEnd>false</StopAtDurationEnd>
      </Repetition>
      <UserId>%s</UserId>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>%s</UserId>
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>7</Priority>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>999</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>%s</Command>
      <Arguments>%s</Arguments>
    </Exec>
  </Actions>
</Task>
`, xmlText(description), WindowsTaskName, user, user, xmlText(c.Binary), xmlText(strings.Join(args, " ")))
	return b.Bytes(), nil
}

// EncodeUTF16 turns the task's UTF-8 text into UTF-16LE with a byte order
// mark and CRLF line ends, which is what schtasks /XML reads.
func EncodeUTF16(text []byte) []byte {
	s := strings.ReplaceAll(string(text), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\n", "\r\n")
	units := utf16.Encode([]rune(s))
	out := make([]byte, 2, 2+2*len(units))
	out[0], out[1] = 0xFF, 0xFE
	for _, u := range units {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// windowsQuote quotes one argument the way CommandLineToArgvW and Go's
// os.Args on Windows read it back (syscall.EscapeArg, which only builds on
// Windows).
func windowsQuote(s string) string {
	if s == "" {
		return `""`
	}
	if !strings.ContainsAny(s, " \t\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(s[i])
	}
	b.WriteString(strings.Repeat(`\`, slashes))
	b.WriteByte('"')
	return b.String()
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
