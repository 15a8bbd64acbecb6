/**
 * How a note's slots read to a patient. The backend labels every slot in 病历 words (药物过敏史,
 * 既往疾病); the few a patient meets first get everyday words here. Notes stored before labels
 * existed carry only their key and fall back to the section's name.
 */
const format = require('../../utils/format')

// Mirrors the backend's rule (backend/services/notes.py EDITABLE_KEY): the chief complaint's
// symptom itself is not editable (a different problem is a new conversation).
const EDITABLE = /^(chief_complaint|present_illness|past|personal|family|allergy|obstetric|paediatric)\.[a-z_]+(\.[a-z_]+)?$/
const KEY_LABELS = {
  'chief_complaint.symptom': '哪里不舒服',
  'chief_complaint.duration': '有多久了',
  'present_illness.severity': '难受的程度',
  'present_illness.onset': '怎么开始的',
}
const SECTION_LABELS = {
  chief_complaint: '主要不适', present_illness: '这次的情况', past: '以前的病史', personal: '个人情况',
  family: '家里人的病史', allergy: '过敏', obstetric: '月经和生育', paediatric: '孩子的情况',
}

function labelOf(slot) {
  if (KEY_LABELS[slot.key]) return KEY_LABELS[slot.key]
  if (slot.label && slot.label !== slot.key) return slot.label.replace(/[？?]\s*(可以多选。?)?$/, '')
  return SECTION_LABELS[slot.key.split('.')[0]] || slot.key
}

function editable(key) {
  return EDITABLE.test(key) && key !== 'chief_complaint.symptom'
}

/** Rows in the order the backend gave, with pending edits shown in place. */
function rows(slots, edits) {
  return (slots || []).map((slot) => ({
    key: slot.key,
    domId: slot.key.replace(/\./g, '-'), // ids with dots would read as CSS classes
    label: labelOf(slot),
    display: edits[slot.key] !== undefined ? edits[slot.key] : slot.display,
    edited: edits[slot.key] !== undefined,
    uncertain: !!slot.uncertain && edits[slot.key] === undefined,
    editable: editable(slot.key),
  }))
}

function editList(edits) {
  return Object.keys(edits).map((key) => ({ key, value: edits[key] }))
}

function noteSummary(note) {
  return {
    ...note,
    delivered: note.delivery_state === 'delivered',
    confirmedText: note.confirmed_at ? format.dateTime(note.confirmed_at) : '',
  }
}

module.exports = { rows, editList, noteSummary, labelOf, editable }
