/** 提醒方式: whether the follow-up team may text or call this resident about follow-ups. */
const { call } = require('../../services/api')

function get(patientId) {
  return call('followup.consent', { query: { patient_id: patientId } })
}

function save(body) {
  return call('followup.consentSave', { body })
}

module.exports = { get, save }
