/**
 * Reading the assistant's replies aloud in elderly mode. Speech is delivered by a later
 * issue (ASR/TTS on the backend); until a speaker is registered nothing is spoken and nothing
 * pretends to be. A speaker is `async (text) => void`, e.g. one that fetches TTS audio from
 * the backend and plays it with an InnerAudioContext through the platform wrapper.
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

module.exports = { registerSpeaker, hasSpeaker, announce }
