// Small text helpers shared by the popup's views. Everything here returns
// strings; callers put them into the DOM with textContent.

/** formatDay turns an RFC 3339 time or a YYYY-MM-DD day into "29 Nov 2026". */
export function formatDay(value) {
  if (!value) return '';
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00`) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

/** formatDateTime turns an RFC 3339 time into "29 Nov 2026, 10:20". */
export function formatDateTime(value) {
  const date = new Date(value);
  if (!value || Number.isNaN(date.getTime())) return String(value ?? '');
  return `${formatDay(value)}, ${date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`;
}

/** clip shortens text to at most max characters, ending with an ellipsis. */
export function clip(text, max = 140) {
  const chars = Array.from(String(text ?? '').replace(/\s+/g, ' ').trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** plural says "1 note" or "2 notes". */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

const statusLabels = {
  keep: 'Keep',
  reviewing: 'Reviewing',
  unfollowed: 'Unfollowed',
  removal_planned: 'Removal planned',
  removed: 'Removed',
};

/** statusLabel names a protocol status for people. */
export function statusLabel(status) {
  return statusLabels[status] ?? (status ? String(status) : 'None');
}

export const startCommand = 'tactful serve';

/** errorText is the sentence to show for an error reply. */
export function errorText(reply) {
  switch (reply?.code) {
    case 'offline':
      return `The tactful daemon is not running. Start it: ${startCommand} (or tactful service install to keep it running).`;
    case 'unpaired':
      return 'The extension is not paired yet. Run tactful pair and paste the code it prints.';
    default:
      return reply?.message || 'Something went wrong.';
  }
}

/** el creates an element with text content and attributes. */
export function el(doc, tag, attrs = {}, text) {
  const node = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  if (text !== undefined) node.textContent = String(text);
  return node;
}
