/** Chinese names for the backend's codes, for people to read. */
const RELATIONSHIPS = [
  { value: 'self', label: '本人' },
  { value: 'parent', label: '父母' },
  { value: 'child', label: '子女' },
  { value: 'spouse', label: '配偶' },
  { value: 'sibling', label: '兄弟姐妹' },
  { value: 'grandparent', label: '祖父母、外祖父母' },
  { value: 'grandchild', label: '孙子女、外孙子女' },
  { value: 'other_relative', label: '其他亲属' },
]

const DOCUMENT_TYPES = [
  { value: 'resident_id', label: '居民身份证' },
  { value: 'passport', label: '护照' },
  { value: 'hk_macau_permit', label: '港澳居民来往内地通行证' },
  { value: 'taiwan_permit', label: '台湾居民来往大陆通行证' },
  { value: 'foreign_permanent_residence', label: '外国人永久居留身份证' },
  { value: 'hmt_residence_permit', label: '港澳台居民居住证' },
]

const SEXES = [
  { value: 'male', label: '男' },
  { value: 'female', label: '女' },
]

const HALF_DAYS = { am: '上午', pm: '下午', night: '夜间' }
const REGISTRATION_TYPES = { general: '普通号', expert: '专家号', special: '特需号' }

// The backend sends `status_label` and `refund_label`; these are used only where one is absent.
const BOOKING_STATUSES = {
  held: '待支付', confirmed: '预约成功', checked_in: '已签到', completed: '已就诊',
  cancelled: '已取消', expired: '已超时', stopped: '医生停诊', no_show: '爽约',
}

const REFUND_STATUSES = { refunding: '退款中', refunded: '已退款' }

function labelOf(list, value) {
  const item = list.find((entry) => entry.value === value)
  return item ? item.label : ''
}

module.exports = {
  RELATIONSHIPS, DOCUMENT_TYPES, SEXES, HALF_DAYS, REGISTRATION_TYPES, BOOKING_STATUSES,
  REFUND_STATUSES, labelOf,
}
