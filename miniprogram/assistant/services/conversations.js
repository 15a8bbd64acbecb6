/** The assistant's API: start, resume, talk, and the pre-visit note (预问诊记录). */
const { call, upload } = require('../../services/api')
const speech = require('../../services/speech')
const platform = require('../../platform/index')

const NOTES_KEY = 'frontdoor.notes' // conversation id → latest confirmed note id

function start(patientId, mode, hospitalId) {
  const body = { patient_id: patientId, mode }
  if (hospitalId) body.hospital_id = hospitalId
  return call('conversations.start', { body })
}

/** The most recent unfinished conversation about this person in this mode, or null. */
async function unfinished(patientId, mode) {
  const list = await call('conversations.list', { query: { patient_id: patientId, unfinished: true } })
  return list.find((c) => c.mode === mode && !c.finished) || null
}

function get(id) {
  return call('conversations.get', { params: { conversation_id: id } })
}

function send(id, text) {
  return call('conversations.send', { params: { conversation_id: id }, body: { text } })
}

/** A spoken message: {transcript, turn, speech} (the reply's clips). */
function speak(id, path) {
  return upload('conversations.voice', { params: { conversation_id: id }, filePath: path, query: { format: speech.FORMAT } })
}

function draftNote(id) {
  return call('conversations.draftNote', { params: { conversation_id: id } })
}

function rememberNote(conversationId, noteId) {
  const notes = platform.getStorage(NOTES_KEY) || {}
  notes[conversationId] = noteId
  platform.setStorage(NOTES_KEY, notes)
}

function knownNoteId(conversationId) {
  const notes = platform.getStorage(NOTES_KEY) || {}
  return notes[conversationId] || null
}

/** Confirming twice returns the same note (the backend makes the second a no-op). */
async function confirmNote(conversationId, edits) {
  const note = await call('conversations.confirmNote', { params: { conversation_id: conversationId }, body: { edits } })
  rememberNote(conversationId, note.id)
  return note
}

function getNote(noteId) {
  return call('notes.get', { params: { note_id: noteId } })
}

async function amendNote(note, edits, reason) {
  const amended = await call('notes.amend', { params: { note_id: note.id }, body: { edits, reason } })
  rememberNote(note.conversation_id, amended.id)
  return amended
}

module.exports = { start, unfinished, get, send, speak, draftNote, confirmNote, knownNoteId, getNote, amendNote }
