/** 腰围和吸烟: what the resident tells the family doctor for the heart-risk estimate. */
const { call } = require('../../services/api')

function get(patientId) {
  return call('followup.riskFactors', { query: { patient_id: patientId } })
}

function save(body) {
  return call('followup.riskFactorsSave', { body })
}

module.exports = { get, save }
