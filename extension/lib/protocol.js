// Code generated from package protocol by protocol/constants_test.go; DO NOT EDIT.
// Regenerate with: go test ./protocol -run TestJSConstants -update
//
// The wire protocol's constants, for every part of the extension: a classic
// script (the background, where it sets tactful.protocol), a CommonJS module
// (the tests' require) and a side-effect import for ES modules (the popup,
// which then reads globalThis.tactful.protocol).
(function (root) {
  'use strict';
  const protocol = Object.freeze({
    "version": 1,
    "minVersion": 1,
    "path": "/ws",
    "defaultPort": 47291,
    "defaultAddress": "127.0.0.1:47291",
    "extensionID": "mfgobgdpnmjcbppgcjachfniomonfemi",
    "keepaliveIntervalMs": 20000,
    "helloTimeoutMs": 5000,
    "limits": {
      "defaultHistoryLimit": 50,
      "defaultQueueLimit": 500,
      "maxBatch": 500,
      "maxConnectedYears": 100,
      "maxDraftChars": 2000,
      "maxHistoryLimit": 200,
      "maxIDChars": 64,
      "maxMessageBytes": 8388608,
      "maxNameChars": 500,
      "maxNoteChars": 10000,
      "maxPlanSize": 500,
      "maxQueryChars": 200,
      "maxQueueLimit": 5000,
      "maxReviewLineChars": 280,
      "maxTagChars": 40,
      "maxTags": 20
    },
    "requests": [
      "contact_get",
      "contacts_seen",
      "export",
      "fallout_mark",
      "hello",
      "history_get",
      "import_connections",
      "import_json",
      "network_summary",
      "note_add",
      "note_delete",
      "note_edit",
      "ping",
      "removal_intent",
      "removal_outcome",
      "removal_plan_apply",
      "removal_plan_get",
      "review_queue",
      "review_save",
      "status",
      "tags_set"
    ],
    "replies": [
      "welcome",
      "pong",
      "annotations",
      "note_saved",
      "annotation",
      "reminder",
      "contact",
      "history",
      "import_summary",
      "export_data",
      "status_reply",
      "error",
      "review_queue",
      "removal_plan",
      "network_summary"
    ],
    "events": [
      "contact_changed"
    ],
    "codes": [
      "bad_json",
      "unknown_type",
      "missing_field",
      "invalid_field",
      "unknown_field",
      "batch_too_large",
      "note_too_large",
      "invalid_slug",
      "not_found",
      "conflict",
      "unauthorized",
      "rate_limited",
      "too_large",
      "storage_failed",
      "internal"
    ],
    "closeCodes": {
      "badPairingCode": 4002,
      "helloExpected": 4006,
      "helloTimeout": 4001,
      "idle": 4005,
      "pairingRotated": 4004,
      "rateLimited": 4008,
      "unsupportedVersion": 4003
    },
    "statuses": [
      "",
      "keep",
      "reviewing",
      "unfollowed",
      "removal_planned",
      "removed"
    ],
    "outcomes": [
      "removed",
      "kept",
      "unfollowed"
    ],
    "eventKinds": [
      "first_seen",
      "imported",
      "note_added",
      "note_edited",
      "note_deleted",
      "tags_changed",
      "status_changed",
      "fallout_marked",
      "reminder_shown",
      "outcome",
      "reviewed",
      "reconnected"
    ],
    "defaultTags": [
      "inactive",
      "interests-drifted",
      "reputation",
      "unprofessional",
      "re-evaluating",
      "keep"
    ],
    "dateSources": [
      "page_relative",
      "import",
      "page_absolute"
    ],
    "badgeKinds": [
      "note",
      "tag",
      "status",
      "recent",
      "cooldown",
      "new",
      "revisit"
    ],
    "decisions": [
      "keep",
      "unfollow",
      "remove_now",
      "remove_on",
      "revisit"
    ],
    "messages": [
      "",
      "silent",
      "write"
    ],
    "dueKinds": [
      "revisit",
      "remove"
    ],
    "clusterKinds": [
      "company",
      "week",
      "tag"
    ]
  });
  root.tactful = Object.assign(root.tactful || {}, { protocol });
  if (typeof module === 'object' && module.exports) module.exports = protocol;
})(globalThis);
