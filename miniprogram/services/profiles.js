/** 就诊人: the family members an account books and answers for. */
const { call } = require('./api')
const labels = require('../utils/labels')

const MAX_PROFILES = 10 // the backend's limit per account

function list() {
  return call('profiles.list')
}

function get(id) {
  return call('profiles.get', { params: { profile_id: id } })
}

function create(body) {
  return call('profiles.create', { body })
}

function update(id, body) {
  return call('profiles.update', { params: { profile_id: id }, body })
}

function remove(id) {
  return call('profiles.remove', { params: { profile_id: id } })
}

/** The fields a list row shows, already in words. */
function view(profile) {
  return {
    ...profile,
    relationshipLabel: labels.labelOf(labels.RELATIONSHIPS, profile.relationship),
    sexLabel: labels.labelOf(labels.SEXES, profile.sex),
  }
}

module.exports = { list, get, create, update, remove, view, MAX_PROFILES }
