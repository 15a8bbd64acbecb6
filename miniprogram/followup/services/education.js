/** 健康知识: what the family doctor's team offered this resident, and marking one as read. */
const { call } = require('../../services/api')
const format = require('../../utils/format')

function list(patientId) {
  return call('education.list', { query: { patient_id: patientId } })
}

function read(deliveryId) {
  return call('education.read', { params: { delivery_id: deliveryId } })
}

/** One offered item as the list shows it: read or new, when it came. */
function view(delivery) {
  return {
    id: delivery.id, title: delivery.item.title, body: delivery.item.body, source: delivery.item.source,
    videoUrl: delivery.item.video_url || '', when: format.monthDay(delivery.delivered_at),
    read: Boolean(delivery.read_at), open: false,
  }
}

module.exports = { list, read, view }
