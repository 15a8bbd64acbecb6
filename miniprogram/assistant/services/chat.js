/**
 * What the chat page does with the assistant's turns, as plain functions (no page, no host
 * API), so the WeChat and Alipay pages share it and the tests read it directly.
 */

/** Quick replies that act in the app instead of being sent as text. */
function actionFor(reply, turn) {
  if (/^拨打\s*120$/.test(reply)) return { type: 'call', number: '120' }
  if (turn && turn.stage === 'emergency' && reply === '我知道了') return { type: 'acknowledge' }
  if (turn && turn.stage === 'triage_result') {
    if (reply === '重新描述') return { type: 'restart' }
    const match = /^挂(.+)$/.exec(reply)
    const recommendation = match && (turn.triage || []).find((r) => r.name === match[1])
    if (recommendation) return { type: 'book', department: recommendation }
  }
  if (turn && turn.stage === 'review') {
    if (reply === '确认无误') return { type: 'review', edit: false }
    if (reply === '我要修改') return { type: 'review', edit: true }
  }
  return { type: 'send', text: reply }
}

/** How sure the assistant is, in words a patient understands, with the number kept. */
function confidenceLabel(confidence) {
  const percent = Math.round((Number(confidence) || 0) * 100)
  const words = percent >= 70 ? '把握较大' : percent >= 40 ? '有一定把握' : '把握不大'
  return `${words}（${percent}%）`
}

function triageView(turn) {
  return (turn.triage || []).map((r, index) => ({
    ...r,
    rank: index + 1,
    basis: r.reason.replace(/^因为[:：]\s*/, ''),
    confidenceText: confidenceLabel(r.confidence),
  }))
}

/**
 * What the bubble says for a turn. A triage result's department list is drawn as the card
 * with its "挂这个科" buttons, so the bubble keeps only the opening line instead of repeating it.
 */
function bubbleText(turn) {
  return turn.stage === 'triage_result' && turn.triage && turn.triage.length ? turn.text.split('\n')[0] : turn.text
}

let seq = 0
function message(role, text, extra = {}) {
  seq += 1
  return { id: `m${seq}`, role, text, ...extra }
}

/** The transcript of a resumed conversation as chat bubbles. */
function fromTranscript(transcript) {
  return (transcript || []).map((entry) => message(entry.role === 'patient' ? 'patient' : 'assistant', entry.text))
}

/** Phone numbers the advice tells the person to call (120 always comes first). */
function phoneNumbers(advice) {
  const found = ['120']
  // No look-behind: older iOS JavaScript engines in WeChat reject it.
  const pattern = /(^|\D)(1\d{2,4})(?!\d)/g
  let match = pattern.exec(String(advice || ''))
  while (match) {
    if (found.indexOf(match[2]) < 0) found.push(match[2])
    match = pattern.exec(String(advice || ''))
  }
  return found
}

/**
 * Whether a turn sends the person to emergency care now. A screening question (level
 * "screen": passive suicidal thoughts) is asked in the chat instead; a model's "possible"
 * emergency is shown as one, worded 可能.
 */
function isEmergency(turn) {
  return !!turn && !!turn.red_flag && turn.red_flag.level !== 'screen'
}

module.exports = {
  actionFor, confidenceLabel, triageView, bubbleText, message, fromTranscript, phoneNumbers, isEmergency,
}
