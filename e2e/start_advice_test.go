package e2e

import (
	"runtime"
	"strings"
	"testing"
)

// TestPopupSaysWhatToRunWhenTheDaemonIsDown: with the daemon stopped, the
// popup names the commands for this platform, from the browser's own
// chrome.runtime.getPlatformInfo.
func TestPopupSaysWhatToRunWhenTheDaemonIsDown(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the sentence checked is Linux's; extension/test checks every platform's")
	}
	e := newEnv(t)
	e.stopDaemon()
	e.waitConnected(false)

	pop := e.b.openExtensionPage(t, "popup/popup.html")
	const want = "In a terminal, run tactful serve once, or tactful service install to have systemd start it at every login."
	waitFor(t, waitShort, "the popup to say what to run on Linux", func() (bool, string) {
		text := textOf(pop.snapshot().root)
		return strings.Contains(text, want), clip(text, 600)
	})
}
