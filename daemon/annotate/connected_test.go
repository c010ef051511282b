package annotate

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tactful/tactful/protocol"
)

// testZone is the tests' local time: neither UTC nor a whole hour off, so a
// rule that mixes up UTC and local days fails here on any machine.
var testZone = time.FixedZone("UTC+5:30", 5*3600+1800)

func TestMain(m *testing.M) {
	time.Local = testZone
	os.Exit(m.Run())
}

// at is a local time on the test calendar. It names testZone rather than
// time.Local because package variables are built before TestMain runs.
func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, testZone)
}

// testNow is Sunday 29 Nov 2026, 10:00 local, the day the fixture pages
// were written against.
var testNow = at(2026, time.November, 29, 10, 0)

const (
	rel = protocol.DateFromPageRelative
	abs = protocol.DateFromPageAbsolute
)

func TestParseConnected(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		locale string
		now    time.Time // testNow when zero
		want   string    // "" means ok=false
		src    protocol.DateSource
	}{
		// English, relative.
		{name: "weeks", text: "Connected 2 weeks ago", want: "2026-11-15", src: rel},
		{name: "one month", text: "Connected 1 month ago", want: "2026-10-29", src: rel},
		{name: "days", text: "Connected 3 days ago", want: "2026-11-26", src: rel},
		{name: "yesterday", text: "Connected yesterday", want: "2026-11-28", src: rel},
		{name: "today", text: "Connected today", want: "2026-11-29", src: rel},
		{name: "hours same day", text: "Connected 5 hours ago", want: "2026-11-29", src: rel},
		{name: "hours cross midnight", text: "Connected 5 hours ago", now: at(2026, time.November, 29, 3, 0), want: "2026-11-28", src: rel},
		{name: "minutes", text: "Connected 53 minutes ago", want: "2026-11-29", src: rel},
		{name: "a year", text: "Connected a year ago", want: "2025-11-29", src: rel},
		{name: "an hour", text: "Connected an hour ago", want: "2026-11-29", src: rel},
		{name: "yrs", text: "Connected 2 yrs ago", want: "2024-11-29", src: rel},
		{name: "compact weeks", text: "2w", want: "2026-11-15", src: rel},
		{name: "compact months", text: "3mo", want: "2026-08-29", src: rel},
		{name: "compact minutes are not months", text: "3m", want: "2026-11-29", src: rel},
		{name: "compact with space", text: "3 mo", want: "2026-08-29", src: rel},
		{name: "one month from the 31st", text: "Connected 1 month ago", now: at(2026, time.March, 31, 12, 0), want: "2026-02-28", src: rel},
		{name: "one year from 29 Feb", text: "Connected 1 year ago", now: at(2028, time.February, 29, 12, 0), want: "2027-02-28", src: rel},

		// English, absolute.
		{name: "month first", text: "Connected on June 29, 2024", want: "2024-06-29", src: abs},
		{name: "short month", text: "Connected on Jun 29, 2024", want: "2024-06-29", src: abs},
		{name: "short month with dot", text: "Connected on Sept. 9, 2022", want: "2022-09-09", src: abs},
		{name: "day first", text: "29 June 2024", want: "2024-06-29", src: abs},
		{name: "day first with verb", text: "Connected on 29 June 2024", want: "2024-06-29", src: abs},
		{name: "ordinal", text: "Connected on June 29th, 2024", want: "2024-06-29", src: abs},
		{name: "iso", text: "2024-06-29", want: "2024-06-29", src: abs},
		{name: "iso with verb", text: "Connected on 2024-06-29", want: "2024-06-29", src: abs},
		{name: "today's date", text: "Connected on November 29, 2026", want: "2026-11-29", src: abs},

		// German.
		{name: "de absolute", text: "Verbunden am 29. Juni 2024", locale: "de-DE", want: "2024-06-29", src: abs},
		{name: "de umlaut month", text: "Vernetzt seit 3. März 2025", locale: "de-DE", want: "2025-03-03", src: abs},
		{name: "de weeks", text: "Vernetzt vor 2 Wochen", locale: "de-DE", want: "2026-11-15", src: rel},
		{name: "de one month", text: "Vernetzt vor einem Monat", locale: "de", want: "2026-10-29", src: rel},
		{name: "de days dative", text: "Verbunden vor 3 Tagen", locale: "de", want: "2026-11-26", src: rel},
		{name: "de yesterday", text: "Vernetzt gestern", locale: "de", want: "2026-11-28", src: rel},

		// French.
		{name: "fr absolute", text: "Connecté le 29 juin 2024", locale: "fr-FR", want: "2024-06-29", src: abs},
		{name: "fr accent month", text: "Connecté le 1er août 2024", locale: "fr-FR", want: "2024-08-01", src: abs},
		{name: "fr weeks", text: "Connecté il y a 2 semaines", locale: "fr-FR", want: "2026-11-15", src: rel},
		{name: "fr inclusive form", text: "Connecté(e) il y a 1 an", locale: "fr", want: "2025-11-29", src: rel},
		{name: "fr one month", text: "il y a un mois", locale: "fr", want: "2026-10-29", src: rel},
		{name: "fr today curly apostrophe", text: "Connecté aujourd’hui", locale: "fr", want: "2026-11-29", src: rel},

		// Spanish.
		{name: "es absolute", text: "Conectado el 29 de junio de 2024", locale: "es-ES", want: "2024-06-29", src: abs},
		{name: "es weeks", text: "hace 2 semanas", locale: "es-ES", want: "2026-11-15", src: rel},
		{name: "es a year", text: "Conectado hace un año", locale: "es", want: "2025-11-29", src: rel},
		{name: "es days accent", text: "Conectado hace 3 días", locale: "es", want: "2026-11-26", src: rel},
		{name: "es yesterday", text: "Conectado ayer", locale: "es", want: "2026-11-28", src: rel},

		// Portuguese, Italian, Dutch.
		{name: "pt absolute", text: "Conectado em 29 de junho de 2024", locale: "pt-BR", want: "2024-06-29", src: abs},
		{name: "pt march cedilla", text: "Conectado em 5 de março de 2020", locale: "pt-BR", want: "2020-03-05", src: abs},
		{name: "pt days", text: "há 3 dias", locale: "pt-BR", want: "2026-11-26", src: rel},
		{name: "pt one month", text: "Conectado há um mês", locale: "pt-PT", want: "2026-10-29", src: rel},
		{name: "it absolute", text: "Collegato il 29 giugno 2024", locale: "it-IT", want: "2024-06-29", src: abs},
		{name: "it weeks", text: "Collegato 2 settimane fa", locale: "it-IT", want: "2026-11-15", src: rel},
		{name: "it elided article", text: "un'ora fa", locale: "it", now: at(2026, time.November, 29, 0, 30), want: "2026-11-28", src: rel},
		{name: "nl absolute", text: "Verbonden op 29 juni 2024", locale: "nl-NL", want: "2024-06-29", src: abs},
		{name: "nl weeks", text: "2 weken geleden", locale: "nl-NL", want: "2026-11-15", src: rel},
		{name: "nl one month", text: "Verbonden een maand geleden", locale: "nl", want: "2026-10-29", src: rel},

		// Month names are read whatever the locale says.
		{name: "english text on a german page", text: "Connected on June 29, 2024", locale: "de-DE", want: "2024-06-29", src: abs},
		{name: "german text on an english page", text: "Verbunden am 29. Juni 2024", locale: "en-US", want: "2024-06-29", src: abs},

		// Numeric dates follow the locale, and only where it is needed.
		{name: "numeric en-US month first", text: "06/07/2024", locale: "en-US", want: "2024-06-07", src: abs},
		{name: "numeric en_US underscore", text: "06/07/2024", locale: "en_US", want: "2024-06-07", src: abs},
		{name: "numeric de day first", text: "06.07.2024", locale: "de-DE", want: "2024-07-06", src: abs},
		{name: "numeric en-GB day first", text: "Connected on 06/07/2024", locale: "en-GB", want: "2024-07-06", src: abs},
		{name: "numeric fr day first", text: "06/07/2024", locale: "fr-FR", want: "2024-07-06", src: abs},
		{name: "numeric unambiguous despite locale", text: "29/06/2024", locale: "en-US", want: "2024-06-29", src: abs},
		{name: "numeric same either way", text: "07/07/2024", want: "2024-07-07", src: abs},
		{name: "numeric ambiguous without locale", text: "06/07/2024"},
		{name: "numeric impossible", text: "13/13/2024", locale: "de-DE"},
		{name: "numeric two-digit year", text: "29/06/24", locale: "de-DE"},

		// Case, extra and odd spaces.
		{name: "shouting and spaces", text: "  CONNECTED\t2   WEEKS\nAGO  ", want: "2026-11-15", src: rel},
		{name: "no-break spaces", text: "Connected\u00a02\u00a0weeks\u00a0ago", want: "2026-11-15", src: rel},
		{name: "narrow no-break space in date", text: "Connected on June\u00a029,\u202f2024", want: "2024-06-29", src: abs},

		// Future dates are misreadings, not connections.
		{name: "tomorrow", text: "Connected on November 30, 2026"},
		{name: "next month", text: "Connected on December 1, 2026"},
		{name: "future iso", text: "2027-01-01"},

		// Anything not certain is refused.
		{name: "empty", text: ""},
		{name: "only spaces", text: " \u00a0 "},
		{name: "verb alone", text: "Connected"},
		{name: "vague", text: "Connected recently"},
		{name: "a few", text: "Connected a few weeks ago"},
		{name: "no ago", text: "Connected 2 weeks"},
		{name: "ago twice", text: "vor 2 Wochen ago"},
		{name: "unknown unit", text: "Connected 2 fortnights ago"},
		{name: "no such day", text: "Connected on June 31, 2024"},
		{name: "no day", text: "Connected on June 2024"},
		{name: "no year", text: "Connected on June 29"},
		{name: "unknown month", text: "Connected on 29 Foo 2024"},
		{name: "two-digit year in words", text: "Connected on June 29, 24"},
		{name: "before LinkedIn", text: "Connected on June 29, 1999"},
		{name: "absurd span", text: "Connected 9999 years ago"},
		{name: "huge number", text: "Connected 99999999999999999999 days ago"},
		{name: "markup", text: "<img src=x onerror=alert(1)>"},
		{name: "headline", text: "Senior engineer at Example, 2 years"},
		{name: "invalid utf-8", text: "Connected \xff2 weeks ago"},
		{name: "too long", text: "Connected 2 weeks ago" + strings.Repeat(" ", 200)},
		{name: "negative", text: "Connected -2 weeks ago"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.now
			if now.IsZero() {
				now = testNow
			}
			day, src, ok := ParseConnected(tc.text, tc.locale, now)
			if tc.want == "" {
				if ok {
					t.Fatalf("ParseConnected(%q) = %s %s, want no date", tc.text, day, src)
				}
				return
			}
			if !ok || day != tc.want || src != tc.src {
				t.Fatalf("ParseConnected(%q, %q) = %q %q %v, want %q %q", tc.text, tc.locale, day, src, ok, tc.want, tc.src)
			}
		})
	}
}

// TestParseConnectedFixtures reads every "Connected ..." text of the
// LinkedIn look-alike pages (copied to testdata) the way the daemon will
// when the extension reports them.
func TestParseConnectedFixtures(t *testing.T) {
	f, err := os.Open("testdata/fixture-connected.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		n++
		t.Run(text, func(t *testing.T) {
			want := rel
			if strings.HasPrefix(text, "Connected on ") {
				want = abs
			}
			day, src, ok := ParseConnected(text, "en", testNow)
			if !ok || src != want {
				t.Fatalf("ParseConnected(%q) = %q %q %v, want a %s date", text, day, src, ok, want)
			}
		})
	}
	if n < 40 {
		t.Fatalf("only %d fixture texts; testdata/fixture-connected.txt lost its lines", n)
	}
}

func FuzzParseConnected(f *testing.F) {
	for _, s := range []string{"Connected 2 weeks ago", "Connected on June 29, 2024", "Verbunden am 29. Juni 2024", "06/07/2024", "il y a un an", "3mo"} {
		f.Add(s, "en-US")
	}
	f.Fuzz(func(t *testing.T, text, locale string) {
		day, src, ok := ParseConnected(text, locale, testNow)
		if !ok {
			return
		}
		d, err := time.ParseInLocation(time.DateOnly, day, time.Local)
		if err != nil {
			t.Fatalf("ParseConnected(%q) gave %q, not a date", text, day)
		}
		if d.After(dateOf(testNow)) || d.Year() < firstYear {
			t.Fatalf("ParseConnected(%q) gave %q, outside LinkedIn's lifetime", text, day)
		}
		if src != rel && src != abs {
			t.Fatalf("ParseConnected(%q) gave source %q", text, src)
		}
	})
}
