// The product catalogue, fetched once per page load (it changes rarely) and shared by views.
import { api } from './api.js';
import { label, sameId } from './format.js';

let cached = null;

/** Active products (admins also see inactive ones when `all`). Resolves to an array. */
export function products({ all = false, fresh = false } = {}) {
  if (all) return api('/products', { query: { page_size: 100 } }).then((page) => page.items);
  if (!cached || fresh) {
    cached = api('/products', { query: { page_size: 100, active: true }, anonymous: true })
      .then((page) => page.items)
      .catch((error) => { cached = null; throw error; });
  }
  return cached;
}

const retired = new Map();

/** A product by id, or null; one no longer offered is asked for once and remembered. */
export async function product(id) {
  const list = await products();
  const found = list.find((p) => sameId(p.id, id));
  if (found) return found;
  if (!retired.has(id)) retired.set(id, api(`/products/${id}`).catch(() => null));
  return retired.get(id);
}

/** The names of the products behind `ids` (active or not): id → name. */
export async function productNames(ids) {
  const unique = [...new Set(ids)];
  const found = await Promise.all(unique.map(product));
  return new Map(unique.map((id, index) => [id, found[index]?.name || null]));
}

export const DOCUMENT_TYPES = ['govt_id', 'address_proof', 'income_proof', 'bank_statement', 'photo', 'pan_card', 'other'];
export const PRODUCT_TYPES = ['personal', 'home', 'auto', 'business', 'education'];

export const documentName = (type) => ({
  govt_id: 'Government ID', address_proof: 'Proof of address', income_proof: 'Proof of income',
  bank_statement: 'Bank statement', photo: 'Photograph', pan_card: 'PAN card', other: 'Other document',
}[type] || label(type));
