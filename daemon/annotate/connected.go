package annotate

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tactful/tactful/protocol"
)

// maxConnectedChars bounds the text ParseConnected reads. The longest real
// phrase ("Conectado el 29 de septiembre de 2024") is far shorter; anything
// longer is not a date line and is refused before any work is done on it.
const maxConnectedChars = 120

// firstYear is the year LinkedIn opened (May 2003): no connection is older,
// so an earlier date means we misread the text.
const firstYear = 2003

// ParseConnected reads the "Connected ..." text a connection card shows into
// the calendar day (YYYY-MM-DD, local time) the connection was made.
//
// Relative texts ("Connected 2 weeks ago", "vor 2 Wochen", "3mo") are counted
// back from now and reported as protocol.DateFromPageRelative; calendar dates
// ("Connected on June 29, 2024", "29. Juni 2024", "2024-06-29") as
// protocol.DateFromPageAbsolute. English, German, French, Spanish,
// Portuguese, Italian and Dutch are understood whatever the locale says;
// the locale (the page's lang, e.g. "en-US") only decides whether a numeric
// date like 06/07/2024 is month-first. Text it cannot read with certainty,
// and dates after now, give ok=false: a wrong date would mislabel a contact,
// a missing one only hides a badge.
func ParseConnected(text, locale string, now time.Time) (day string, src protocol.DateSource, ok bool) {
	if utf8.RuneCountInString(text) > maxConnectedChars || !utf8.ValidString(text) {
		return "", "", false
	}
	today := dateOf(now)
	words := dropConnectVerb(tokenize(text))
	if len(words) == 0 {
		return "", "", false
	}
	var d time.Time
	if rd, rok := parseRelative(words, now); rok {
		d, src = rd, protocol.DateFromPageRelative
	} else if ad, aok := parseAbsolute(words, locale); aok {
		d, src = ad, protocol.DateFromPageAbsolute
	} else {
		return "", "", false
	}
	if d.After(today) || d.Year() < firstYear {
		return "", "", false
	}
	return d.Format(time.DateOnly), src, true
}

// foldAccents lets one table serve "días" and "dias", "août" and "aout":
// pages drop accents in abbreviations and users' locales vary.
var foldAccents = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ä", "a", "ã", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i",
	"ó", "o", "ò", "o", "ô", "o", "ö", "o", "õ", "o",
	"ú", "u", "ù", "u", "û", "u", "ü", "u",
	"ç", "c", "ñ", "n", "ß", "ss",
	// "Connecté(e)", "Conectado(a)": the parentheses join the word.
	"(", "", ")", "",
	// French "aujourd'hui" is one word; every other apostrophe joins an
	// article to its noun ("un'ora") and is split below.
	"aujourd'hui", "aujourdhui", "aujourd’hui", "aujourdhui", "aujourdʼhui", "aujourdhui",
)

// tokenize lower-cases text, folds accents and odd spaces, and splits it into
// words. A number glued to a unit ("2w", "3mo", "29th") becomes two words; a
// numeric date ("06/07/2024", "2024-06-29") stays one.
func tokenize(text string) []string {
	s := foldAccents.Replace(strings.ToLower(text))
	s = strings.Map(func(r rune) rune {
		switch {
		case r == ',' || r == ':' || r == '\'' || r == '’' || r == '‘' || r == 'ʼ' || r == '·' || r == '•':
			return ' '
		case unicode.IsSpace(r) || r == '\u200b':
			// unicode.IsSpace covers the no-break spaces LinkedIn puts between
			// numbers and units.
			return ' '
		}
		return r
	}, s)
	var out []string
	for _, f := range strings.Fields(s) {
		f = strings.TrimRight(f, ".")
		if f == "" {
			continue
		}
		if i := digitPrefix(f); i > 0 && i < len(f) && isLetters(f[i:]) {
			out = append(out, f[:i], f[i:])
			continue
		}
		out = append(out, f)
	}
	return out
}

func digitPrefix(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

// connectVerbs open the date line in each language ("Connected",
// "Verbunden", "Connecté(e)", ...), already accent-folded.
var connectVerbs = map[string]bool{
	"connected": true, "connecte": true, "connectee": true,
	"verbunden": true, "vernetzt": true,
	"conectado": true, "conectada": true, "conectadoa": true, "conectados": true,
	"collegato": true, "collegata": true, "collegatoa": true, "collegati": true,
	"verbonden": true, "gekoppeld": true,
}

func dropConnectVerb(w []string) []string {
	for len(w) > 0 && connectVerbs[w[0]] {
		w = w[1:]
	}
	return w
}

// unit is a span a relative text counts in.
type unit int

const (
	unitMinute unit = iota + 1
	unitHour
	unitDay
	unitWeek
	unitMonth
	unitYear
)

// units are the unit words of every language, singular, plural and
// abbreviated, accent-folded. LinkedIn abbreviates months "mo" and minutes
// "m", so "3m" is three minutes.
var units = map[string]unit{
	// English
	"s": unitMinute, "sec": unitMinute, "secs": unitMinute, "second": unitMinute, "seconds": unitMinute,
	"m": unitMinute, "min": unitMinute, "mins": unitMinute, "minute": unitMinute, "minutes": unitMinute,
	"h": unitHour, "hr": unitHour, "hrs": unitHour, "hour": unitHour, "hours": unitHour,
	"d": unitDay, "day": unitDay, "days": unitDay,
	"w": unitWeek, "wk": unitWeek, "wks": unitWeek, "week": unitWeek, "weeks": unitWeek,
	"mo": unitMonth, "mos": unitMonth, "month": unitMonth, "months": unitMonth,
	"y": unitYear, "yr": unitYear, "yrs": unitYear, "year": unitYear, "years": unitYear,
	// German
	"sekunde": unitMinute, "sekunden": unitMinute, "minuten": unitMinute,
	"std": unitHour, "stunde": unitHour, "stunden": unitHour,
	"tag": unitDay, "tage": unitDay, "tagen": unitDay,
	"woche": unitWeek, "wochen": unitWeek,
	"monat": unitMonth, "monate": unitMonth, "monaten": unitMonth,
	"jahr": unitYear, "jahre": unitYear, "jahren": unitYear,
	// French
	"seconde": unitMinute, "secondes": unitMinute,
	"heure": unitHour, "heures": unitHour,
	"jour": unitDay, "jours": unitDay,
	"semaine": unitWeek, "semaines": unitWeek,
	"mois": unitMonth,
	"an":   unitYear, "ans": unitYear, "annee": unitYear, "annees": unitYear,
	// Spanish and Portuguese
	"segundo": unitMinute, "segundos": unitMinute, "minuto": unitMinute, "minutos": unitMinute,
	"hora": unitHour, "horas": unitHour,
	"dia": unitDay, "dias": unitDay,
	"semana": unitWeek, "semanas": unitWeek,
	"mes": unitMonth, "meses": unitMonth,
	"ano": unitYear, "anos": unitYear,
	// Italian
	"secondo": unitMinute, "secondi": unitMinute, "minuti": unitMinute,
	"ora": unitHour, "ore": unitHour,
	"giorno": unitDay, "giorni": unitDay,
	"settimana": unitWeek, "settimane": unitWeek,
	"mese": unitMonth, "mesi": unitMonth,
	"anno": unitYear, "anni": unitYear,
	// Dutch
	"seconden": unitMinute, "minuut": unitMinute,
	"uur": unitHour, "uren": unitHour,
	"dag": unitDay, "dagen": unitDay,
	"weken": unitWeek,
	"maand": unitMonth, "maanden": unitMonth,
	"jaar": unitYear, "jaren": unitYear,
}

// ones are the articles that stand for 1 ("a week ago", "vor einem Monat",
// "il y a un an", "hace una semana", "un mese fa", "een maand geleden").
var ones = map[string]bool{
	"a": true, "an": true, "one": true,
	"ein": true, "eine": true, "einem": true, "einer": true, "einen": true,
	"un": true, "une": true, "uno": true, "una": true, "um": true, "uma": true,
	"een": true,
}

// dayWords are the words for today, yesterday and the day before, as days
// back from today.
var dayWords = map[string]int{
	"today": 0, "heute": 0, "aujourdhui": 0, "hoy": 0, "hoje": 0, "oggi": 0, "vandaag": 0,
	"yesterday": 1, "gestern": 1, "hier": 1, "ayer": 1, "ontem": 1, "ieri": 1, "gisteren": 1,
	"vorgestern": 2, "avant-hier": 2, "anteayer": 2, "anteontem": 2, "eergisteren": 2,
}

// agoBefore and agoAfter mark a span as past: "vor 2 Wochen", "il y a 2
// semaines", "hace", "há" before; "ago", "fa", "geleden" after.
var (
	agoBefore = [][]string{{"vor"}, {"il", "y", "a"}, {"hace"}, {"ha"}}
	agoAfter  = map[string]bool{"ago": true, "fa": true, "geleden": true}
)

// parseRelative reads "2 weeks ago" and its kin as the local day that far
// before now.
func parseRelative(w []string, now time.Time) (time.Time, bool) {
	if len(w) == 2 && w[0] == "just" && w[1] == "now" {
		return dateOf(now), true
	}
	if len(w) == 1 {
		if back, ok := dayWords[w[0]]; ok {
			return dateOf(now).AddDate(0, 0, -back), true
		}
	}
	marked := false
	for _, p := range agoBefore {
		if hasPrefix(w, p) {
			w, marked = w[len(p):], true
			break
		}
	}
	if len(w) > 0 && agoAfter[w[len(w)-1]] {
		if marked {
			return time.Time{}, false
		}
		w, marked = w[:len(w)-1], true
	}
	if len(w) != 2 {
		return time.Time{}, false
	}
	u, ok := units[w[1]]
	if !ok {
		return time.Time{}, false
	}
	n := 0
	switch {
	case ones[w[0]]:
		n = 1
	case isDigits(w[0]) && len(w[0]) <= 4:
		n, _ = strconv.Atoi(w[0])
	default:
		return time.Time{}, false
	}
	// Without "ago" only LinkedIn's compact forms ("2w", "3mo") are a time
	// span; "Connected 2 weeks" is not something a page says.
	if !marked && !compact(w[1]) {
		return time.Time{}, false
	}
	return back(now, n, u), true
}

// compact reports whether a unit is one of LinkedIn's abbreviations, which
// appear without "ago".
func compact(u string) bool {
	switch u {
	case "m", "min", "h", "hr", "d", "w", "wk", "mo", "y", "yr":
		return true
	}
	return false
}

func hasPrefix(w, p []string) bool {
	if len(w) < len(p) {
		return false
	}
	for i := range p {
		if w[i] != p[i] {
			return false
		}
	}
	return true
}

// back returns the local day n units before now. Months and years keep the
// day of the month where it exists and otherwise take the month's last day,
// so "1 month ago" on 31 March is 28 or 29 February, never 3 March.
func back(now time.Time, n int, u unit) time.Time {
	switch u {
	case unitMinute:
		return dateOf(now.Add(-time.Duration(n) * time.Minute))
	case unitHour:
		return dateOf(now.Add(-time.Duration(n) * time.Hour))
	case unitDay:
		return dateOf(now).AddDate(0, 0, -n)
	case unitWeek:
		return dateOf(now).AddDate(0, 0, -7*n)
	case unitMonth:
		return monthsBack(dateOf(now), n)
	default:
		return monthsBack(dateOf(now), 12*n)
	}
}

func monthsBack(d time.Time, n int) time.Time {
	first := time.Date(d.Year(), d.Month()-time.Month(n), 1, 0, 0, 0, 0, d.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d.Day(), last)-1)
}

// months maps month names and abbreviations of every supported language,
// accent-folded, to their number. No word means two different months in two
// languages ("mar" is March everywhere, "ago" August, "set" September).
var months = map[string]time.Month{}

func init() {
	for m, names := range [12][]string{
		{"january", "jan", "januar", "janner", "jan", "janvier", "janv", "enero", "ene", "janeiro", "gennaio", "gen", "januari"},
		{"february", "feb", "februar", "fevrier", "fevr", "fev", "febrero", "fevereiro", "febbraio", "februari"},
		{"march", "mar", "marz", "maerz", "mars", "marzo", "marco", "maart", "mrt"},
		{"april", "apr", "avril", "avr", "abril", "abr", "aprile"},
		{"may", "mai", "mayo", "maio", "maggio", "mag", "mei"},
		{"june", "jun", "juni", "juin", "junio", "junho", "giugno", "giu"},
		{"july", "jul", "juli", "juillet", "juil", "julio", "julho", "luglio", "lug"},
		{"august", "aug", "aout", "agosto", "ago", "augustus"},
		{"september", "sep", "sept", "septembre", "septiembre", "setiembre", "setembro", "set", "settembre"},
		{"october", "oct", "oktober", "okt", "octobre", "octubre", "outubro", "out", "ottobre", "ott"},
		{"november", "nov", "novembre", "noviembre", "novembro"},
		{"december", "dec", "dezember", "dez", "decembre", "diciembre", "dic", "dezembro", "dicembre"},
	} {
		for _, n := range names {
			months[n] = time.Month(m + 1)
		}
	}
}

// fillers are the words between the parts of a written date ("on", "am",
// "le", "el", "29 de junio de 2024", "29th of June") and ordinal endings.
var fillers = map[string]bool{
	"on": true, "since": true, "the": true, "of": true,
	"am": true, "seit": true, "den": true,
	"le": true, "depuis": true,
	"el": true, "desde": true, "de": true, "del": true,
	"em": true,
	"il": true, "dal": true,
	"op": true, "sinds": true,
	"st": true, "nd": true, "rd": true, "th": true, "er": true, "o": true, "º": true,
}

// parseAbsolute reads a calendar date: a month name with a day and a year in
// either order, an ISO date, or a numeric date read by the locale.
func parseAbsolute(w []string, locale string) (time.Time, bool) {
	var parts []string
	for _, x := range w {
		if !fillers[x] {
			parts = append(parts, x)
		}
	}
	switch len(parts) {
	case 1:
		return parseNumeric(parts[0], locale)
	case 3:
		var dayWord string
		var month time.Month
		if m, ok := months[parts[1]]; ok {
			dayWord, month = parts[0], m
		} else if m, ok := months[parts[0]]; ok {
			dayWord, month = parts[1], m
		} else {
			return time.Time{}, false
		}
		if !isDigits(dayWord) || len(dayWord) > 2 || !isDigits(parts[2]) || len(parts[2]) != 4 {
			return time.Time{}, false
		}
		d, _ := strconv.Atoi(dayWord)
		y, _ := strconv.Atoi(parts[2])
		return calendarDay(y, int(month), d)
	}
	return time.Time{}, false
}

// parseNumeric reads 2024-06-29, and 29/06/2024 or 06/29/2024 as the locale
// writes dates. When both readings are valid days and the locale does not
// say which it is, the text is refused rather than guessed.
func parseNumeric(s, locale string) (time.Time, bool) {
	var fields []string
	for _, sep := range []string{"-", "/", "."} {
		if f := strings.Split(s, sep); len(f) == 3 {
			fields = f
			break
		}
	}
	if fields == nil {
		return time.Time{}, false
	}
	for _, f := range fields {
		if !isDigits(f) {
			return time.Time{}, false
		}
	}
	a, _ := strconv.Atoi(fields[0])
	b, _ := strconv.Atoi(fields[1])
	c, _ := strconv.Atoi(fields[2])
	if len(fields[0]) == 4 && len(fields[1]) <= 2 && len(fields[2]) <= 2 {
		return calendarDay(a, b, c)
	}
	if len(fields[2]) != 4 || len(fields[0]) > 2 || len(fields[1]) > 2 {
		return time.Time{}, false
	}
	dayFirst, dayFirstOK := calendarDay(c, b, a)
	monthFirst, monthFirstOK := calendarDay(c, a, b)
	switch {
	case dayFirstOK && monthFirstOK && !dayFirst.Equal(monthFirst):
		switch numericOrder(locale) {
		case orderMonthFirst:
			return monthFirst, true
		case orderDayFirst:
			return dayFirst, true
		}
		return time.Time{}, false
	case dayFirstOK:
		return dayFirst, true
	case monthFirstOK:
		return monthFirst, true
	}
	return time.Time{}, false
}

type order int

const (
	orderUnknown order = iota
	orderDayFirst
	orderMonthFirst
)

// monthFirst are the locales that write 06/07/2024 for June 7. LinkedIn's
// bare "en" is American English.
var monthFirst = map[string]bool{"en": true, "en-us": true, "en-ph": true, "es-us": true, "fil": true, "fil-ph": true}

func numericOrder(locale string) order {
	l := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(locale), "_", "-"))
	switch {
	case l == "":
		return orderUnknown
	case monthFirst[l]:
		return orderMonthFirst
	}
	return orderDayFirst
}

// calendarDay returns the local day y-m-d, refusing days that do not exist
// (time.Date would quietly turn 31 June into 1 July).
func calendarDay(y, m, d int) (time.Time, bool) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.Local)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dateOf returns midnight of t's local calendar day.
func dateOf(t time.Time) time.Time {
	l := t.In(time.Local)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.Local)
}
