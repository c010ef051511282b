package protocol

import (
	"net"
	"slices"
	"strconv"
)

// JSConstants is what the extension needs to know of this package, as data:
// extension/lib/protocol.js is generated from it (go test ./protocol -run
// TestJSConstants -update), and that test fails when the two drift.
type JSConstants struct {
	Version        int            `json:"version"`
	MinVersion     int            `json:"minVersion"`
	Path           string         `json:"path"`
	DefaultPort    int            `json:"defaultPort"`
	DefaultAddress string         `json:"defaultAddress"`
	ExtensionID    string         `json:"extensionID"`
	KeepaliveMs    int64          `json:"keepaliveIntervalMs"`
	HelloTimeoutMs int64          `json:"helloTimeoutMs"`
	Limits         map[string]int `json:"limits"`
	Requests       []string       `json:"requests"`
	Replies        []string       `json:"replies"`
	Events         []string       `json:"events"`
	Codes          []Code         `json:"codes"`
	CloseCodes     map[string]int `json:"closeCodes"`
	Statuses       []Status       `json:"statuses"`
	Outcomes       []Outcome      `json:"outcomes"`
	EventKinds     []EventKind    `json:"eventKinds"`
	DefaultTags    []string       `json:"defaultTags"`
	DateSources    []DateSource   `json:"dateSources"`
	BadgeKinds     []BadgeKind    `json:"badgeKinds"`
	Decisions      []Decision     `json:"decisions"`
	Messages       []string       `json:"messages"`
	DueKinds       []string       `json:"dueKinds"`
	ClusterKinds   []string       `json:"clusterKinds"`
}

// Constants returns this package's constants for the extension.
func Constants() JSConstants {
	requests := RequestTypes()
	slices.Sort(requests)
	return JSConstants{
		Version:        Version,
		MinVersion:     MinVersion,
		Path:           Path,
		DefaultPort:    DefaultPort,
		DefaultAddress: net.JoinHostPort("127.0.0.1", strconv.Itoa(DefaultPort)),
		ExtensionID:    ExtensionID,
		KeepaliveMs:    KeepaliveInterval.Milliseconds(),
		HelloTimeoutMs: HelloTimeout.Milliseconds(),
		Limits: map[string]int{
			"maxMessageBytes": MaxMessageBytes, "maxBatch": MaxBatch, "maxNoteChars": MaxNoteChars,
			"maxNameChars": MaxNameChars, "maxTags": MaxTags, "maxTagChars": MaxTagChars,
			"maxHistoryLimit": MaxHistoryLimit, "defaultHistoryLimit": DefaultHistoryLimit,
			"maxIDChars": MaxIDChars, "maxQueryChars": MaxQueryChars,
			"maxReviewLineChars": MaxReviewLineChars, "maxDraftChars": MaxDraftChars,
			"defaultQueueLimit": DefaultQueueLimit, "maxQueueLimit": MaxQueueLimit, "maxPlanSize": MaxPlanSize,
			"maxConnectedYears": MaxConnectedYears,
		},
		Requests: requests,
		Replies: []string{TypeWelcome, TypePong, TypeAnnotations, TypeNoteSaved, TypeAnnotation, TypeReminder, TypeContact,
			TypeHistory, TypeImportResult, TypeExportData, TypeStatusReply, TypeError,
			TypeReviewQueueReply, TypeRemovalPlan, TypeNetworkSummaryReply},
		Events: []string{TypeContactChanged},
		Codes:  Codes,
		CloseCodes: map[string]int{
			"helloTimeout": CloseHelloTimeout, "badPairingCode": CloseBadPairingCode, "unsupportedVersion": CloseUnsupportedVersion,
			"pairingRotated": ClosePairingRotated, "idle": CloseIdle, "helloExpected": CloseHelloExpected, "rateLimited": CloseRateLimited,
		},
		Statuses:     append([]Status{StatusNone}, Statuses...),
		Outcomes:     []Outcome{OutcomeRemoved, OutcomeKept, OutcomeUnfollowed},
		EventKinds:   EventKinds,
		DefaultTags:  DefaultTags,
		DateSources:  []DateSource{DateFromPageRelative, DateFromImport, DateFromPageAbsolute},
		BadgeKinds:   []BadgeKind{BadgeNote, BadgeTag, BadgeStatus, BadgeRecent, BadgeCooldown, BadgeNew, BadgeRevisit},
		Decisions:    Decisions,
		Messages:     Messages,
		DueKinds:     []string{DueRevisit, DueRemove},
		ClusterKinds: []string{ClusterCompany, ClusterWeek, ClusterTag},
	}
}
