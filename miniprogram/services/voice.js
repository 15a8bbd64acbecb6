/**
 * Reading the assistant's replies aloud in elderly mode, where voice is on by default. app.js
 * registers the backend's voice (services/speech.js `speak`) as the speaker; without one
 * nothing is spoken and nothing pretends to be. A speaker is `async (text) => void`.
 */
const display = require('./display')

let speaker = null

function registerSpeaker(fn) {
  speaker = typeof fn === 'function' ? fn : null
}

function hasSpeaker() {
  return !!speaker
}

/** Speaks `text` when elderly mode is on and a speaker exists; never throws at the caller. */
function announce(text) {
  if (!speaker || !display.isElderly() || !text) return Promise.resolve(false)
  return Promise.resolve()
    .then(() => speaker(text))
    .then(() => true, () => false)
}

/** Hold-to-talk is the first way to answer in elderly mode; elsewhere it is one tap away. */
function talkFirst() {
  return display.isElderly()
}

module.exports = { registerSpeaker, hasSpeaker, announce, talkFirst }
