"""Tables for the directory (대형폐기물 수수료, 종량제봉투 판매소)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, UniqueConstraint

from sotong.db import Base


class BulkyWasteFee(Base):
    """One row of 전국대형폐기물수수료표준데이터: item, size class, fee (won)."""

    __tablename__ = "bulky_waste_fee"
    __table_args__ = (UniqueConstraint("district", "item", "size", name="uq_bulky_fee_item_size"),)

    id = Column(Integer, primary_key=True)
    district = Column(String(60), nullable=False)  # 시군구명
    item = Column(String(100), nullable=False)  # 대형폐기물명
    category = Column(String(60), nullable=True)  # 대형폐기물구분명
    size = Column(String(200), nullable=False, default="")  # 대형폐기물규격
    fee_won = Column(Integer, nullable=False)  # 수수료 (0 when free)
    is_free = Column(Boolean, nullable=False, default=False)  # 유무료여부
    sample = Column(Boolean, nullable=False, default=False)  # True for shipped sample rows


class WasteBagVendor(Base):
    """A designated 종량제봉투 판매소 (shop selling volume-rate waste bags)."""

    __tablename__ = "waste_bag_vendor"
    __table_args__ = (UniqueConstraint("district", "name", "address", name="uq_vendor_name_addr"),)

    id = Column(Integer, primary_key=True)
    district = Column(String(60), nullable=False)
    dong = Column(String(40), nullable=False, index=True)  # 행정동, e.g. 청라1동
    name = Column(String(120), nullable=False)  # 판매소명
    address = Column(String(300), nullable=False, default="")
    phone = Column(String(40), nullable=True)
    sample = Column(Boolean, nullable=False, default=False)
