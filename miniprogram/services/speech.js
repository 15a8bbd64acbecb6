/**
 * Speech with the backend: record while the person holds the button, send the recording, play
 * the spoken reply. Recordings are mp3 at 16 kHz mono (what both hosts' recorders write and the
 * backend decodes); replies come back as short WAV links, one per sentence, played in order.
 */
const platform = require('../platform/index')
const { call, upload } = require('./api')
const http = require('./http')

const FORMAT = 'mp3'
const MIN_MS = 600 // shorter than this is a slip of the finger, not speech
const MAX_MS = 60000

let playing = 0 // bumped to stop a reply that is still being read out

/** Starts recording; returns {stop, done} (done → {path, durationMs}). */
function record() {
  silence()
  return platform.recordSpeech({ maxMs: MAX_MS })
}

function tooShort(recording) {
  return !recording || recording.durationMs < MIN_MS
}

/** Dictation for a form field: the transcript only, for the person to check. */
async function transcribe(path) {
  const result = await upload('speech.transcribe', { filePath: path, query: { format: FORMAT } })
  return result.transcript
}

/** Plays the clips one after another; a later play() or silence() cuts it short. */
async function play(clips) {
  playing += 1
  const mine = playing
  for (const clip of clips || []) {
    if (mine !== playing) return false
    try {
      await platform.playAudio(http.absolute(clip.url))
    } catch (err) {
      return false // a clip that will not play: the text is on screen
    }
  }
  return mine === playing
}

/** Stops reading out (the person starts to talk, or leaves the page). */
function silence() {
  playing += 1
}

/** Reads any text aloud through the backend's voice (the speaker of services/voice.js). */
async function speak(text) {
  const result = await call('speech.speak', { body: { text } })
  return play(result.speech)
}

module.exports = { FORMAT, MIN_MS, record, tooShort, transcribe, play, silence, speak }
