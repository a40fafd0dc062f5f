import { seededRandom } from '../seeded-random.ts';

/** One demo product. Prices are in cents so sums are exact in JS and SQL alike. */
export interface DemoProduct {
  readonly productId: number;
  readonly name: string;
  readonly category: string;
  readonly listPriceCents: number;
}

/** One demo order with its lines. */
export interface DemoOrder {
  readonly orderId: number;
  readonly customerName: string;
  readonly region: string;
  /** YYYY-MM-DD (UTC). */
  readonly orderDate: string;
  readonly status: 'completed' | 'cancelled';
  readonly items: ReadonlyArray<{ readonly productId: number; readonly quantity: number; readonly unitPriceCents: number }>;
}

const PRODUCTS: ReadonlyArray<[string, string, number]> = [
  ['Laptop Pro 14', 'Electronics', 129_900],
  ['Noise-Cancelling Headphones', 'Electronics', 24_900],
  ['USB-C Dock', 'Electronics', 8_999],
  ['The Pragmatic Programmer', 'Books', 4_250],
  ['Designing Data-Intensive Applications', 'Books', 3_999],
  ['SQL Cookbook', 'Books', 2_999],
  ['Espresso Machine', 'Home', 39_900],
  ['Cast Iron Skillet', 'Home', 3_499],
  ['Desk Lamp', 'Home', 2_750],
  ['Building Blocks Set', 'Toys', 5_999],
  ['Puzzle 1000', 'Toys', 1_899],
  ['Remote Control Car', 'Toys', 7_450],
];
const REGIONS = ['North', 'South', 'East', 'West'];
const CUSTOMERS = ['Acme Corp', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises', 'Soylent'];
const DAY_MS = 86_400_000;

/**
 * The demo sales data: 12 products in 4 categories and 2–3 orders a day over the 450 days up to
 * `now` (so the last several quarters are populated relative to today), every 10th cancelled.
 * Deterministic for a given day, so tests recompute expected answers from the same data.
 */
export function demoSalesData(now: Date): { products: DemoProduct[]; orders: DemoOrder[] } {
  const products = PRODUCTS.map(([name, category, listPriceCents], i) => ({ productId: i + 1, name, category, listPriceCents }));
  const rnd = seededRandom(20_261_126);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const orders: DemoOrder[] = [];
  for (let day = 450; day >= 0; day--) {
    const perDay = 2 + Math.floor(rnd() * 2);
    for (let k = 0; k < perDay; k++) {
      const orderId = orders.length + 1;
      const lines = 1 + Math.floor(rnd() * 3);
      const items = Array.from({ length: lines }, () => {
        const product = products[Math.floor(rnd() * products.length)]!;
        // Occasional 10 % discount off the list price.
        const unitPriceCents = rnd() < 0.2 ? Math.round(product.listPriceCents * 0.9) : product.listPriceCents;
        return { productId: product.productId, quantity: 1 + Math.floor(rnd() * 4), unitPriceCents };
      });
      orders.push({
        orderId,
        customerName: CUSTOMERS[Math.floor(rnd() * CUSTOMERS.length)]!,
        region: REGIONS[Math.floor(rnd() * REGIONS.length)]!,
        orderDate: new Date(today - day * DAY_MS).toISOString().slice(0, 10),
        status: orderId % 10 === 0 ? 'cancelled' : 'completed',
        items,
      });
    }
  }
  return { products, orders };
}
